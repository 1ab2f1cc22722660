/**
 * The deploy pipeline's steps that can run offline, run here as a runner
 * would run them (test/workflow-steps.ts): the image repository read from the
 * overlay, the release overlay that pins the pushed digest, the migrations
 * (`drizzle-kit migrate` against a fresh PostgreSQL database) and CI's
 * migration check. Building and pushing the image, logging in to Azure and
 * applying to a cluster cannot run here; `wrangler deploy` is dry-run by
 * test/deploy.test.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { migrateDatabase } from "../dev/migrate";
import { loadWorkflow, runStep, step } from "./workflow-steps";

const deploy = loadWorkflow(".github/workflows/deploy.yml");
const ci = loadWorkflow(".github/workflows/ci.yml");
const DIGEST = `sha256:${"ab".repeat(32)}`;
const OVERLAY = deploy.env!.OVERLAY;

describe("the deploy pipeline, offline", () => {
  let workspace: string;
  beforeAll(() => {
    // A checkout of its own, so that the release directory the step writes is not in this tree.
    workspace = mkdtempSync(join(tmpdir(), "pipeline-"));
    symlinkSync(resolve("aks"), join(workspace, "aks"));
  });
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it("reads the image repository, and the registry to log in to, from the overlay", () => {
    const result = runStep(deploy, step(deploy, "image", "target"), { OVERLAY }, workspace);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.outputs).toEqual({ repository: "chatllm.azurecr.io/llm-gateway", registry: "chatllm.azurecr.io" });
  });

  it("pins the gateway to the pushed digest and changes nothing else in the overlay", () => {
    const image = `chatllm.azurecr.io/llm-gateway@${DIGEST}`;
    const result = runStep(deploy, step(deploy, "aks", "release"), { OVERLAY, IMAGE: image }, workspace);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.outputs).toEqual({ namespace: "chat-llm" });

    const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    const released = docs(readFileSync(join(workspace, ".release/rendered.yaml"), "utf8"));
    const overlay = docs(execFileSync("kubectl", ["kustomize", `aks/overlays/${OVERLAY}`], { encoding: "utf8" }));
    const gateway = released.find((o) => o.kind === "Deployment" && o.metadata.name === "llm-gateway") as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(gateway.spec.template.spec.containers[0].image).toBe(image);
    gateway.spec.template.spec.containers[0].image = "chatllm.azurecr.io/llm-gateway:0.1.0";
    expect(released).toEqual(overlay);
  });

  it("stops the deploy when the pushed image is not the one the overlay runs", () => {
    const result = runStep(deploy, step(deploy, "aks", "release"), { OVERLAY, IMAGE: `other.azurecr.io/llm-gateway@${DIGEST}` }, workspace);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain("::error::the gateway image is not other.azurecr.io/llm-gateway@");
  });
});

describe("the migration step", () => {
  const admin = postgres(inject("adminDatabaseUrl"), { max: 1, onnotice: () => {} });
  const name = `pipeline_${process.pid}_${Date.now()}`;
  const url = new URL(inject("adminDatabaseUrl"));
  url.pathname = `/${name}`;
  beforeAll(async () => {
    await admin.unsafe(`create database ${name}`);
  });
  afterAll(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it("applies every migration in drizzle/ once, and again changes nothing; the tests' own migrator agrees", async () => {
    const journal = JSON.parse(readFileSync("drizzle/meta/_journal.json", "utf8")) as { entries: unknown[] };
    const migrate = step(deploy, "migrate", "migrate");
    for (let run = 0; run < 2; run++) {
      const result = runStep(deploy, migrate, { OVERLAY, DATABASE_URL: url.toString() }, process.cwd());
      expect(result.status, result.stdout + result.stderr).toBe(0);
    }
    await migrateDatabase(url.toString());
    const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      const [{ count }] = await db`select count(*)::int as count from drizzle.__drizzle_migrations`;
      expect(count).toBe(journal.entries.length);
      const tables = await db`select table_name from information_schema.tables where table_schema = 'public'`;
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["users", "characters", "chat_messages"]));
    } finally {
      await db.end();
    }
  }, 60_000);

  it("fails loudly without a database URL rather than doing nothing", () => {
    const result = runStep(deploy, step(deploy, "migrate", "migrate"), { OVERLAY, DATABASE_URL: "" }, process.cwd());
    expect(result.status).not.toBe(0);
  });

  it("CI's migration check passes on the committed migrations", () => {
    const result = runStep(ci, step(ci, "test", "migrations-check"), {}, process.cwd());
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});

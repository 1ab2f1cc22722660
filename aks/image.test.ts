/**
 * The gateway image (aks/gateway/Dockerfile), checked without a Docker engine:
 * pinned bases on a current Node LTS, the same Node major in both stages and
 * as esbuild's target, the user and ports the Deployment expects; then the
 * Dockerfile's own bundling step is run here and the bundle serves a signed
 * request end to end, so the build's main step is known to work.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectRedis,
  contentOf,
  devReply,
  makeKey,
  mintToken,
  readSse,
  startUpstream,
  type TestRedis,
  type Upstream,
} from "./gateway/test-kit";
import { mainContainer, renderOverlay } from "./rendered";

const DOCKERFILE = "aks/gateway/Dockerfile";

/** Instructions with their continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

const steps = instructions(readFileSync(DOCKERFILE, "utf8"));
const bases = steps.filter((s) => s.op === "FROM").map((s) => s.args.split(/\s+/)[0]);
const nodeMajor = (image: string) => Number(/(?:^node:|nodejs)(\d+)/.exec(image)?.[1]);
const esbuildStep = steps.find((s) => s.op === "RUN" && s.args.startsWith("npx esbuild"))!;

describe("the gateway Dockerfile", () => {
  it("builds on pinned images of one current Node LTS (22 or later, even-numbered)", () => {
    expect(bases.length).toBe(2);
    for (const image of bases) {
      expect(image, "pinned by tag or digest").toMatch(/^[^:@\s]+(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/);
      expect(image).not.toMatch(/:latest$/);
      expect(nodeMajor(image), image).toBeGreaterThanOrEqual(22);
      expect(nodeMajor(image) % 2, `${image} is not an LTS line`).toBe(0);
    }
    expect(new Set(bases.map(nodeMajor)).size, "both stages on the same Node").toBe(1);
    expect(esbuildStep.args).toContain(`--target=node${nodeMajor(bases[0])}`);
  });

  it("runs as the user, and exposes the ports, that the Deployment expects", () => {
    const gateway = renderOverlay("prod").workloads.find((w) => w.name === "llm-gateway")!;
    expect(bases.at(-1)).toMatch(/:nonroot$/);
    const user = steps.filter((s) => s.op === "USER").at(-1)?.args;
    expect(user).toBe(`${gateway.pod.securityContext?.runAsUser}:${gateway.pod.securityContext?.runAsGroup}`);
    const exposed = steps
      .filter((s) => s.op === "EXPOSE")
      .flatMap((s) => s.args.split(/\s+/))
      .map(Number);
    expect(exposed.sort()).toEqual((mainContainer(gateway).ports ?? []).map((p) => p.containerPort).sort());
  });

  it("copies only what its dockerignore lets through", () => {
    const ignore = readFileSync(`${DOCKERFILE}.dockerignore`, "utf8");
    const copied = steps.filter((s) => s.op === "COPY" && !s.args.startsWith("--from")).flatMap((s) => s.args.split(/\s+/).slice(0, -1));
    expect(copied).toEqual(["package.json", "package-lock.json", "aks/gateway", "worker/shared"]);
    expect(ignore).toMatch(/^\*\*$/m);
    for (const path of copied) expect(ignore, path).toMatch(new RegExp(`^!${path.replace(/[.]/g, "\\.")}(/\\*\\*)?$`, "m"));
  });

  describe("its bundling step, run here", () => {
    let dir: string;
    let upstream: Upstream;
    let redis: TestRedis;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "gateway-image-"));
      upstream = await startUpstream();
      redis = connectRedis();
    });
    afterAll(async () => {
      await upstream.close();
      await redis.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it("makes one file that serves a signed request end to end", async () => {
      const bundle = join(dir, "gateway.mjs");
      // The Dockerfile's RUN line as written, writing into a temporary directory instead of /out.
      execFileSync("sh", ["-c", esbuildStep.args.replace("/out/gateway.mjs", bundle)], { stdio: "pipe" });
      const key = await makeKey("image-key");
      writeFileSync(join(dir, "pools.json"), JSON.stringify({ pools: { p: { models: ["chat"], upstreams: [upstream.url] } } }));
      const child = spawn(process.execPath, [bundle], {
        cwd: dir, // nothing from the repository is at hand, as in the image
        env: {
          PATH: process.env.PATH,
          REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
          GATEWAY_JWKS: JSON.stringify({ keys: [key.publicJwk] }),
          GATEWAY_POOLS: join(dir, "pools.json"),
          GATEWAY_PORT: "0",
          GATEWAY_METRICS_PORT: "0",
          GATEWAY_REDIS_PREFIX: redis.prefix,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      try {
        let url: string | undefined;
        for (let i = 0; i < 300 && !url; i++) {
          url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(url, output).toBeDefined();
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${await mintToken(key)}` },
          body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: "hi" }] }),
        });
        expect(contentOf((await readSse(res)).data)).toBe(devReply("hi").text);
        child.kill("SIGTERM");
        expect(await exited).toBe(0);
      } finally {
        child.kill("SIGKILL");
      }
    }, 60_000);
  });
});

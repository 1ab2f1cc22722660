import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectRedis, contentOf, devReply, makeKey, mintToken, readSse, startUpstream, type TestRedis, type Upstream } from "./test-kit";

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", "aks/gateway/main.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe("npm run gateway", () => {
  let dir: string;
  let upstream: Upstream;
  let r: TestRedis;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gateway-main-"));
    upstream = await startUpstream();
    r = connectRedis();
  });
  afterAll(async () => {
    await upstream.close();
    await r.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses to start with an empty JWKS", async () => {
    const proc = run({ GATEWAY_JWKS: "" });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/GATEWAY_JWKS is not set/);
  });

  it("serves a signed request end to end and stops on SIGTERM", async () => {
    const key = await makeKey("main-key");
    writeFileSync(join(dir, "pools.json"), JSON.stringify({ pools: { p: { models: ["chat"], upstreams: [upstream.url] } } }));
    const proc = run({
      GATEWAY_JWKS: JSON.stringify({ keys: [key.publicJwk] }),
      GATEWAY_POOLS: join(dir, "pools.json"),
      GATEWAY_PORT: "0",
      GATEWAY_METRICS_PORT: "0",
      GATEWAY_REDIS_PREFIX: r.prefix,
    });
    try {
      let url: string | undefined;
      for (let i = 0; i < 200 && !url; i++) {
        url = /"url":"(http:\/\/[^"]+)"/.exec(proc.output())?.[1];
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(url, proc.output()).toBeDefined();
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await mintToken(key)}` },
        body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(contentOf((await readSse(res)).data)).toBe(devReply("hi").text);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      // Metrics on their own port only.
      const metricsUrl = /"metricsUrl":"(http:\/\/[^"]+)"/.exec(proc.output())?.[1];
      expect(metricsUrl, proc.output()).toBeDefined();
      expect(await (await fetch(metricsUrl!)).text()).toMatch(/gateway_request_duration_seconds_count\{[^}]*outcome="complete"[^}]*\} 1/);
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      proc.child.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toContain('"msg":"llm_usage"');
    } finally {
      proc.child.kill("SIGKILL");
    }
  });
});

describe("npm run gateway, its keys rotated", () => {
  let dir: string;
  let upstream: Upstream;
  let r: TestRedis;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gateway-rotate-"));
    upstream = await startUpstream();
    r = connectRedis();
  });
  afterAll(async () => {
    await upstream.close();
    await r.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("trusts a new key and forgets a removed one on SIGHUP, without a restart", async () => {
    const old = await makeKey("old-key");
    const next = await makeKey("new-key");
    const jwksPath = join(dir, "jwks.json");
    const writeKeys = (...keys: (typeof old)[]) => writeFileSync(jwksPath, JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
    writeKeys(old);
    writeFileSync(join(dir, "pools.json"), JSON.stringify({ pools: { p: { models: ["chat"], upstreams: [upstream.url] } } }));
    const proc = run({
      GATEWAY_JWKS: jwksPath,
      GATEWAY_JWKS_RELOAD_MS: "0",
      GATEWAY_POOLS: join(dir, "pools.json"),
      GATEWAY_PORT: "0",
      GATEWAY_METRICS_PORT: "0",
      GATEWAY_REDIS_PREFIX: r.prefix,
    });
    try {
      let url: string | undefined;
      for (let i = 0; i < 200 && !url; i++) {
        url = /"url":"(http:\/\/[^"]+)"/.exec(proc.output())?.[1];
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(url, proc.output()).toBeDefined();
      const status = async (key: typeof old) =>
        (await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${await mintToken(key)}` } })).status;
      expect(await status(old)).toBe(200);
      expect(await status(next)).toBe(401);

      writeKeys(old, next);
      proc.child.kill("SIGHUP");
      await vi.waitFor(async () => expect(await status(next)).toBe(200));
      expect(await status(old)).toBe(200);

      writeKeys(next);
      proc.child.kill("SIGHUP");
      await vi.waitFor(async () => expect(await status(old)).toBe(401));
      expect(await status(next)).toBe(200);
      expect(proc.child.exitCode).toBeNull(); // the same process all along
      expect(proc.output()).toContain('"msg":"jwks_reloaded"');
    } finally {
      proc.child.kill("SIGKILL");
    }
  });
});

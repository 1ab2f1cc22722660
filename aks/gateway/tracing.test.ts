/**
 * The gateway's spans, written by its file exporter and read back: a caller's
 * trace continued through auth, the pool and every upstream attempt (each
 * attempt told its own span in `traceparent`), a refused token, and an
 * unsampled caller whose context still passes on. Real Redis and the
 * development LLM as upstreams.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type CollectedSpan, flattenOtlp } from "../../dev/trace-collector";
import { parseTraceparent } from "../../worker/shared/trace-context";
import { traceExportConfig } from "../../worker/shared/trace-export";
import { createGatewayApp } from "./app";
import { createRedisReplayGuard, createTokenVerifier } from "./auth";
import { createRedisLimits } from "./limits";
import { parsePools } from "./pools";
import { connectRedis, ISSUER, makeKey, mintToken, readSse, startUpstream, type TestKey, type TestRedis, type Upstream } from "./test-kit";
import { createGatewayTracing, type GatewayTracing } from "./tracing";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
let key: TestKey;
let r: TestRedis;
const dir = mkdtempSync(join(tmpdir(), "gw-trace-"));
const opened: Upstream[] = [];

beforeAll(async () => {
  key = await makeKey("tunnel-1");
  r = connectRedis();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((u) => u.close()));
});
afterAll(async () => {
  await r.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function gateway(pools: unknown): { app: ReturnType<typeof createGatewayApp>; tracing: GatewayTracing; spans: () => CollectedSpan[] } {
  const file = join(dir, `${crypto.randomUUID()}.jsonl`);
  const tracing = createGatewayTracing(traceExportConfig({ OTEL_TRACES_EXPORTER: "file", OTEL_TRACES_FILE: file }, "llm-gateway"), {
    delayMs: 60_000,
  });
  const app = createGatewayApp({
    verify: createTokenVerifier({ jwks: { keys: [key.publicJwk] }, issuer: ISSUER, replay: createRedisReplayGuard(r.redis, r.prefix) }),
    pools: parsePools(pools),
    limits: createRedisLimits(r.redis, { maxConcurrent: 2, dailyTokens: 10_000, leaseMs: 60_000, prefix: r.prefix }),
    log: () => {},
    tracing,
  });
  const spans = () => {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return [];
    }
    return text
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => flattenOtlp(JSON.parse(line)));
  };
  return { app, tracing, spans };
}

async function chat(app: ReturnType<typeof createGatewayApp>, headers: Record<string, string>) {
  return app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
}

async function upstream(knobs?: string) {
  const u = await startUpstream(knobs);
  opened.push(u);
  return u;
}

describe("gateway spans", () => {
  it("continue the caller's trace through auth, the pool and each upstream attempt, each attempt told its span", async () => {
    const broken = await upstream("[[fail:503]]");
    const good = await upstream();
    const { app, tracing, spans } = gateway({
      pools: {
        big: { models: ["chat"], upstreams: [broken.url], retries: 1, fallback: "small" },
        small: { models: ["small"], upstreams: [good.url] },
      },
    });
    const token = await mintToken(key, { uid: "u1" });
    const res = await chat(app, { authorization: `Bearer ${token}`, traceparent: `00-${TRACE}-${CALLER_SPAN}-01` });
    expect(res.status).toBe(200);
    await readSse(res);
    await vi.waitFor(async () => {
      await tracing.flush();
      expect(spans().some((s) => s.name === "POST /v1/chat/completions")).toBe(true);
    });
    const all = spans();
    expect(all.every((s) => s.traceId === TRACE)).toBe(true);
    const server = all.find((s) => s.name === "POST /v1/chat/completions")!;
    const pool = all.find((s) => s.name === "gateway.pool")!;
    expect(server.parentSpanId).toBe(CALLER_SPAN);
    expect(all.find((s) => s.name === "gateway.auth")).toMatchObject({ parentSpanId: server.spanId, error: undefined });
    expect(pool).toMatchObject({ parentSpanId: server.spanId, error: undefined });
    expect(pool.attributes).toMatchObject({
      "gateway.pool": "small",
      "gateway.fallback": true,
      "gateway.calls": 3,
      "gateway.outcome": "complete",
    });

    const attempts = all
      .filter((s) => s.name === "gateway.upstream")
      .sort((a, b) => Number(a.attributes["gateway.attempt"]) - Number(b.attributes["gateway.attempt"]));
    expect(attempts.map((a) => [a.parentSpanId, a.error])).toEqual([
      [pool.spanId, "status_503"],
      [pool.spanId, "status_503"],
      [pool.spanId, undefined],
    ]);
    const received = [...broken.calls, ...good.calls].map((c) => parseTraceparent(String(c.headers.traceparent)));
    expect(received.map((c) => c?.spanId)).toEqual(attempts.map((a) => a.spanId));
    expect(received.every((c) => c?.traceId === TRACE && c.sampled)).toBe(true);
  });

  it("mark a refused token on the auth span, with no pool span", async () => {
    const good = await upstream();
    const { app, tracing, spans } = gateway({ pools: { main: { models: ["chat"], upstreams: [good.url] } } });
    const res = await chat(app, { authorization: "Bearer not-a-token", traceparent: `00-${TRACE}-${CALLER_SPAN}-01` });
    expect(res.status).toBe(401);
    await tracing.flush();
    expect(
      spans()
        .map((s) => [s.name, s.error])
        .sort(),
    ).toEqual([
      ["POST /v1/chat/completions", undefined],
      ["gateway.auth", "status_401"],
    ]);
    expect(good.calls).toHaveLength(0);
  });

  it("record nothing for an unsampled caller, whose context still reaches the model server", async () => {
    const good = await upstream();
    const { app, tracing, spans } = gateway({ pools: { main: { models: ["chat"], upstreams: [good.url] } } });
    const token = await mintToken(key, { uid: "u2" });
    const res = await chat(app, { authorization: `Bearer ${token}`, traceparent: `00-${TRACE}-${CALLER_SPAN}-00` });
    await readSse(res);
    await tracing.flush();
    expect(spans()).toEqual([]);
    const received = parseTraceparent(String(good.calls[0].headers.traceparent));
    expect(received).toMatchObject({ traceId: TRACE, sampled: false });
    expect(received?.spanId).not.toBe(CALLER_SPAN);
  });
});

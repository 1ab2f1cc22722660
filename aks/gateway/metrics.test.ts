import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GATEWAY_METRICS, seriesNames } from "../metrics-contract";
import { createGatewayApp } from "./app";
import { createRedisReplayGuard, createTokenVerifier } from "./auth";
import { createRedisLimits } from "./limits";
import { createMetrics, createMetricsApp } from "./metrics";
import { parsePools } from "./pools";
import { connectRedis, ISSUER, makeKey, mintToken, readSse, startUpstream, type TestKey, type TestRedis, type Upstream } from "./test-kit";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, as far as this test needs it: TYPE lines and samples. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) continue;
    const labels = Object.fromEntries([...(sample[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    samples.push({ name: sample[1], labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

describe("the gateway's /metrics", () => {
  let key: TestKey;
  let r: TestRedis;
  let good: Upstream;
  let broken: Upstream;
  beforeAll(async () => {
    key = await makeKey("metrics-key");
    r = connectRedis();
    good = await startUpstream();
    broken = await startUpstream("[[fail:503]]");
  });
  afterAll(async () => {
    await Promise.all([good.close(), broken.close()]);
    await r.cleanup();
  });

  it("exposes every series of the contract, with its type and labels, after real requests", async () => {
    const pools = parsePools({
      pools: {
        big: { models: ["chat"], upstreams: [broken.url], retries: 0, fallback: "small" },
        small: { models: ["small"], upstreams: [good.url] },
        idle: { models: ["unused"], upstreams: [good.url] },
      },
    });
    const metrics = createMetrics(pools.pools.keys());
    const app = createGatewayApp({
      verify: createTokenVerifier({ jwks: { keys: [key.publicJwk] }, issuer: ISSUER, replay: createRedisReplayGuard(r.redis, r.prefix) }),
      pools,
      limits: createRedisLimits(r.redis, { maxConcurrent: 2, dailyTokens: 10_000, leaseMs: 60_000, prefix: r.prefix }),
      metrics,
      log: () => undefined,
    });
    const post = async (token: string) =>
      app.request("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: "hi [[long:20]]" }] }),
      });

    // One reply that fails over from `big` to `small`, and one refused token.
    const res = await post(await mintToken(key));
    expect(res.status).toBe(200);
    await readSse(res);
    expect((await post("not-a-token")).status).toBe(401);

    // Not on the public port: the tunnel reaches that one.
    expect((await app.request("/metrics")).status).toBe(404);
    const scrape = await createMetricsApp(metrics).request("/metrics");
    expect(scrape.headers.get("content-type")).toMatch(/^text\/plain/);

    await vi.waitFor(async () => {
      const { types, samples } = parseExposition(await (await createMetricsApp(metrics).request("/metrics")).text());
      for (const spec of GATEWAY_METRICS) {
        expect(types.get(spec.name), spec.name).toBe(spec.type);
        const found = samples.filter((s) => seriesNames(spec).includes(s.name));
        expect(found.length, `${spec.name} has samples`).toBeGreaterThan(0);
        for (const s of found) {
          const expected = s.name.endsWith("_bucket") ? [...spec.labels, "le"] : [...spec.labels];
          expect(Object.keys(s.labels).sort(), s.name).toEqual(expected.sort());
        }
      }
      const value = (name: string, labels: Record<string, string>) =>
        samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
      // Every pool has its gauge, at 0 once the reply is over.
      for (const pool of ["big", "small", "idle"]) expect(value("gateway_streams_in_flight", { pool })).toBe(0);
      expect(value("gateway_time_to_first_token_seconds_count", { pool: "small", model: "chat" })).toBe(1);
      expect(value("gateway_tokens_per_second_count", { pool: "small", model: "chat" })).toBe(1);
      expect(value("gateway_request_duration_seconds_count", { pool: "small", model: "chat", outcome: "complete" })).toBe(1);
      expect(value("gateway_upstream_failures_total", { pool: "big", reason: "status_503" })).toBe(1);
      expect(value("gateway_refusals_total", { code: "unauthorized" })).toBe(1);
      // The first-token histogram has buckets up to a minute.
      expect(samples.some((s) => s.name === "gateway_time_to_first_token_seconds_bucket" && s.labels.le === "60")).toBe(true);
    });
  });

  it("counts a stream in flight while it is being generated", async () => {
    const slow = await startUpstream("[[long:40]] [[gap:30]]");
    try {
      const pools = parsePools({ pools: { main: { models: ["chat"], upstreams: [slow.url] } } });
      const metrics = createMetrics(pools.pools.keys());
      const app = createGatewayApp({
        verify: createTokenVerifier({ jwks: { keys: [key.publicJwk] }, issuer: ISSUER, replay: createRedisReplayGuard(r.redis, r.prefix) }),
        pools,
        limits: createRedisLimits(r.redis, { maxConcurrent: 2, dailyTokens: 10_000, leaseMs: 60_000, prefix: r.prefix }),
        metrics,
        log: () => undefined,
      });
      const res = await app.request("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await mintToken(key)}` },
        body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      const inFlight = async () => (await metrics.inFlight.get()).values.find((v) => v.labels.pool === "main")?.value;
      expect(await inFlight()).toBe(1);
      await res.text();
      await vi.waitFor(async () => expect(await inFlight()).toBe(0));
    } finally {
      await slow.close();
    }
  });
});

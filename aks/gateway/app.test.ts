import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import Redis from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { errorMessage } from "../../worker/shared/error-codes";
import { createGatewayApp } from "./app";
import { createRedisReplayGuard, createTokenVerifier } from "./auth";
import { createRedisLimits, type LimitsConfig } from "./limits";
import { createMetrics } from "./metrics";
import { parsePools } from "./pools";
import {
  connectRedis,
  contentOf,
  devReply,
  ISSUER,
  makeKey,
  metricValue,
  mintToken,
  readSse,
  startUpstream,
  type TestKey,
  type TestRedis,
  type Upstream,
  unsecuredToken,
  usageOf,
} from "./test-kit";
import type { LogLine } from "./types";

let key: TestKey;
let otherKey: TestKey;
let r: TestRedis;
const opened: Upstream[] = [];

beforeAll(async () => {
  key = await makeKey("tunnel-1");
  otherKey = await makeKey("tunnel-1");
  r = connectRedis();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((u) => u.close()));
});
afterAll(() => r.cleanup());

/** A development LLM as the upstream; `knobs` make it misbehave on every request. */
async function upstream(knobs?: string): Promise<Upstream> {
  const u = await startUpstream(knobs);
  opened.push(u);
  return u;
}

interface Options {
  limits?: Partial<LimitsConfig>;
  redis?: Redis;
  maxBodyBytes?: number;
}

function gateway(file: unknown, setup: Options = {}) {
  const redis = setup.redis ?? r.redis;
  const logs: LogLine[] = [];
  const pools = parsePools(file);
  const metrics = createMetrics(pools.pools.keys());
  const limits = createRedisLimits(redis, { maxConcurrent: 2, dailyTokens: 10_000, leaseMs: 60_000, prefix: r.prefix, ...setup.limits });
  const app = createGatewayApp({
    verify: createTokenVerifier({ jwks: { keys: [key.publicJwk] }, issuer: ISSUER, replay: createRedisReplayGuard(redis, r.prefix) }),
    pools,
    limits,
    metrics,
    log: (line) => logs.push(line),
    maxBodyBytes: setup.maxBodyBytes,
  });
  return { app, logs, metrics, limits };
}

const onePool = (u: Upstream, extra: object = {}) => ({ pools: { main: { models: ["chat"], upstreams: [u.url], ...extra } } });

let userSeq = 0;
const newUser = () => `user-${crypto.randomUUID().slice(0, 8)}-${userSeq++}`;

async function chat(app: ReturnType<typeof gateway>["app"], body: object, token?: string | null, uid = newUser()) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token ?? (await mintToken(key, { uid }))}`;
  return app.request("/v1/chat/completions", { method: "POST", headers, body: JSON.stringify(body) });
}

/** A streamed chat request; knob markers in `content` tell the development LLM how to answer. */
const streamBody = (model = "chat", content = "hi") => ({ model, stream: true, messages: [{ role: "user", content }] });
const usageLine = (logs: LogLine[]) => logs.find((l) => l.msg === "llm_usage");

describe("a valid token", () => {
  it("streams the upstream reply through, with usage counted and logged", async () => {
    const u = await upstream();
    const { app, logs, metrics } = gateway(onePool(u, { upstreamModel: "meta-llama/Llama-3.1-8B-Instruct" }));
    const uid = newUser();
    const res = await chat(app, streamBody(), undefined, uid);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const sse = await readSse(res);
    expect(contentOf(sse.data)).toBe(devReply("hi").text);
    expect(sse.data.at(-1)).toBe("[DONE]");
    expect(sse.events).toEqual([]);
    const reported = usageOf(sse.data);
    expect(reported?.completionTokens).toBe(devReply("hi").pieces.length);

    const call = u.calls[0];
    expect(call.body).toMatchObject({ model: "meta-llama/Llama-3.1-8B-Instruct", stream: true, stream_options: { include_usage: true } });
    expect(call.headers.authorization).toBeUndefined();

    await vi.waitFor(() => expect(usageLine(logs)).toBeDefined());
    expect(usageLine(logs)).toMatchObject({
      outcome: "complete",
      userId: uid,
      model: "chat",
      pool: "main",
      promptTokens: reported?.promptTokens,
      completionTokens: reported?.completionTokens,
      estimated: false,
      fallback: false,
    });
    expect(usageLine(logs)?.latencyMs).toEqual(expect.any(Number));
    await vi.waitFor(async () => {
      const day = new Date().toISOString().slice(0, 10);
      expect(await r.redis.get(`${r.prefix}{${uid}}:tokens:${day}`)).toBe(String(reported?.completionTokens));
    });
    expect(await metricValue(metrics, "gateway_request_duration_seconds_count", { model: "chat", pool: "main", outcome: "complete" })).toBe(
      1,
    );
    expect(await metricValue(metrics, "gateway_streams_in_flight", { pool: "main" })).toBe(0);
  });

  it("passes a non-streamed completion through whole", async () => {
    const u = await upstream();
    const { app, logs } = gateway(onePool(u));
    const res = await chat(app, { ...streamBody(), stream: false });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body).toMatchObject({ object: "chat.completion", choices: [{ message: { content: devReply("hi").text } }] });
    const { prompt_tokens: promptTokens, completion_tokens: completionTokens } = body.usage;
    await vi.waitFor(() => expect(usageLine(logs)).toMatchObject({ completionTokens, promptTokens, stream: false }));
  });

  it("lists the models, leaves health open and keeps metrics off the public port", async () => {
    const u = await upstream();
    const { app } = gateway({
      pools: {
        a: { models: ["chat", "small"], upstreams: [u.url], maxModelLen: 8192, fallback: "b" },
        b: { models: ["tiny"], upstreams: [u.url], maxModelLen: 4096 },
        c: { models: ["other"], upstreams: [u.url] },
      },
    });
    const models = await app.request("/v1/models", { headers: { authorization: `Bearer ${await mintToken(key)}` } });
    // The window is the smallest a request may land on, fallbacks included.
    expect(await models.json()).toEqual({
      object: "list",
      data: [
        { id: "chat", object: "model", created: 0, owned_by: "llm-gateway", max_model_len: 4096 },
        { id: "other", object: "model", created: 0, owned_by: "llm-gateway" },
        { id: "small", object: "model", created: 0, owned_by: "llm-gateway", max_model_len: 4096 },
        { id: "tiny", object: "model", created: 0, owned_by: "llm-gateway", max_model_len: 4096 },
      ],
    });
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/readyz")).status).toBe(200);
    expect((await app.request("/metrics")).status).toBe(404);
  });
});

describe("tokens that are refused", () => {
  it("answer one identical 401 and reach no model", async () => {
    const u = await upstream();
    const { app, metrics, logs } = gateway(onePool(u));
    const now = Math.floor(Date.now() / 1000);
    const replayed = await mintToken(key);
    expect((await chat(app, streamBody(), replayed)).status).toBe(200);
    const callsBefore = u.calls.length;

    const cases: [string, string | null][] = [
      ["missing", null],
      ["expired", await mintToken(key, { iat: now - 120, exp: now - 60 })],
      ["wrong audience", await mintToken(key, { aud: "other-service" })],
      ["wrong issuer", await mintToken(key, { iss: "someone" })],
      ["wrong key", await mintToken(otherKey)],
      ["alg none", unsecuredToken(key.kid)],
      ["replayed", replayed],
      ["garbage", "x.y.z"],
    ];
    const bodies = new Set<string>();
    for (const [name, token] of cases) {
      const res = await chat(app, streamBody(), token);
      expect(res.status, name).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      bodies.add(await res.text());
    }
    const basic = await app.request("/v1/chat/completions", { method: "POST", headers: { authorization: "Basic dTpw" }, body: "{}" });
    expect(basic.status).toBe(401);
    bodies.add(await basic.text());
    const models = await app.request("/v1/models");
    expect(models.status).toBe(401);
    bodies.add(await models.text());

    expect([...bodies]).toEqual([JSON.stringify({ error: { code: "unauthorized", message: errorMessage("unauthorized") } })]);
    expect(u.calls.length).toBe(callsBefore);
    expect(await metricValue(metrics, "gateway_refusals_total", { code: "unauthorized" })).toBe(cases.length + 2);
    const reasons = logs.filter((l) => l.msg === "tunnel_token_refused").map((l) => l.reason);
    expect(reasons.filter((r) => r === "replayed")).toHaveLength(1);
    expect(reasons.filter((r) => r === "missing")).toHaveLength(3); // no header, Basic, and /v1/models without one
  });

  it("answer 503 rather than let a token through when Redis is unreachable", async () => {
    const down = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    const u = await upstream();
    const { app } = gateway(onePool(u), { redis: down });
    const res = await chat(app, streamBody());
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: "limits_unavailable", message: "Usage limits cannot be checked right now.", retryAfter: 1 },
    });
    expect(u.calls).toHaveLength(0);
    down.disconnect();
  });
});

describe("routing and fallback", () => {
  it("routes by model name and refuses unknown models", async () => {
    const a = await upstream();
    const b = await upstream();
    const { app } = gateway({ pools: { big: { models: ["chat"], upstreams: [a.url] }, small: { models: ["small"], upstreams: [b.url] } } });
    expect(contentOf((await readSse(await chat(app, streamBody("small")))).data)).toBe(devReply("hi").text);
    expect([a.calls.length, b.calls.length]).toEqual([0, 1]);
    expect(contentOf((await readSse(await chat(app, streamBody("chat")))).data)).toBe(devReply("hi").text);
    expect([a.calls.length, b.calls.length]).toEqual([1, 1]);
    const unknown = await chat(app, streamBody("gpt-4"));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "model_not_found" } });
  });

  it("retries a failing upstream, then falls over to the fallback pool under its own model name", async () => {
    const broken = await upstream("[[fail:503]]");
    const backup = await upstream();
    const { app, logs, metrics } = gateway({
      pools: {
        big: { models: ["chat"], upstreams: [broken.url], retries: 1, fallback: "small" },
        small: { models: ["small"], upstreams: [backup.url] },
      },
    });
    const res = await chat(app, streamBody());
    expect(res.status).toBe(200);
    expect(contentOf((await readSse(res)).data)).toBe(devReply("hi").text);
    expect(broken.calls).toHaveLength(2);
    expect(backup.calls[0].body).toMatchObject({ model: "small" });
    await vi.waitFor(() => expect(usageLine(logs)).toMatchObject({ pool: "small", fallback: true, calls: 3 }));
    expect(await metricValue(metrics, "gateway_upstream_failures_total", { pool: "big", reason: "status_503" })).toBe(2);
  });

  it("falls over when the first token does not come in time, and when the stream is empty", async () => {
    const slow = await upstream("[[hold:60000]]");
    const empty = await upstream("[[empty:1]]");
    const backup = await upstream();
    const { app } = gateway({
      pools: {
        big: { models: ["chat"], upstreams: [slow.url], retries: 0, fallback: "mid", timeouts: { firstTokenMs: 150 } },
        mid: { models: ["mid"], upstreams: [empty.url], retries: 0, fallback: "small" },
        small: { models: ["small"], upstreams: [backup.url] },
      },
    });
    const started = Date.now();
    const res = await chat(app, streamBody());
    expect(contentOf((await readSse(res)).data)).toBe(devReply("hi").text);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(empty.calls).toHaveLength(1);
    await vi.waitFor(() => expect(slow.aborted).toBe(1)); // the abandoned attempt was hung up on
  });

  it("answers 502 when every upstream fails and 504 when they all time out", async () => {
    const broken = await upstream("[[fail:500]]");
    const slow = await upstream("[[hold:60000]]");
    const down = gateway(onePool(broken, { retries: 2 }));
    const res = await chat(down.app, streamBody());
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { code: "upstream_unavailable", message: errorMessage("upstream_unavailable") } });
    expect(broken.calls).toHaveLength(3);
    const late = gateway(onePool(slow, { retries: 0, timeouts: { firstTokenMs: 100 } }));
    expect((await chat(late.app, streamBody())).status).toBe(504);
  });

  it("passes an upstream's refusal on without retrying", async () => {
    const strict = await upstream("[[fail:400:context_length_exceeded]]");
    const { app } = gateway(onePool(strict, { retries: 2 }));
    const res = await chat(app, streamBody());
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: "upstream_rejected",
        message: "The model server rejected the request: development model failing on request (status 400)",
      },
    });
    expect(strict.calls).toHaveLength(1);
  });

  it("never passes an upstream's 401 on as if the caller's token had failed", async () => {
    const locked = await upstream("[[fail:401]]");
    const { app } = gateway(onePool(locked, { retries: 1 }));
    const res = await chat(app, streamBody());
    expect(res.status).toBe(502);
    expect(locked.calls).toHaveLength(2);
  });

  it("speaks the seed's /generate for legacy pools, streamed or not", async () => {
    const seed = await upstream();
    const { app, logs } = gateway({ pools: { seed: { type: "legacy-generate", models: ["legacy"], upstreams: [seed.origin] } } });
    const body = { model: "legacy", stream: true, messages: [{ role: "user", content: "hello" }], metadata: { character_id: "c-9" } };
    const sse = await readSse(await chat(app, body));
    expect(contentOf(sse.data)).toBe(devReply("hello").text);
    expect(sse.data.at(-1)).toBe("[DONE]");
    expect(seed.calls[0]).toMatchObject({ path: "/generate", body: { message: "hello", character_id: "c-9" } });
    const whole = await chat(app, { ...body, stream: false });
    expect(await whole.json()).toMatchObject({ choices: [{ message: { role: "assistant", content: devReply("hello").text } }] });
    await vi.waitFor(() => expect(usageLine(logs)).toMatchObject({ estimated: true, pool: "seed" }));
  });
});

describe("a stream that breaks after tokens flowed", () => {
  it("ends with an error event, never a clean end", async () => {
    const u = await upstream();
    const { app, logs, metrics } = gateway(onePool(u));
    const res = await chat(app, streamBody("chat", "hi [[cut:2]]"));
    expect(res.status).toBe(200);
    const sse = await readSse(res);
    expect(contentOf(sse.data)).toBe(devReply("hi").pieces.slice(0, 2).join(""));
    expect(sse.data).not.toContain("[DONE]");
    expect(sse.events).toEqual(["error"]);
    expect(JSON.parse(sse.data.at(-1)!)).toEqual({
      error: { code: "upstream_interrupted", message: errorMessage("upstream_interrupted") },
    });
    await vi.waitFor(() =>
      expect(usageLine(logs)).toMatchObject({ outcome: "upstream_interrupted", completionTokens: 3, estimated: true }),
    );
    const cut = { pool: "main", model: "chat", outcome: "upstream_interrupted" };
    expect(await metricValue(metrics, "gateway_request_duration_seconds_count", cut)).toBe(1);
  });

  it("ends with a timeout event when the upstream goes quiet", async () => {
    const u = await upstream();
    const { app } = gateway(onePool(u, { timeouts: { idleMs: 150 } }));
    const sse = await readSse(await chat(app, streamBody("chat", "hi [[stall:1]]")));
    expect(contentOf(sse.data)).toBe(devReply("hi").pieces[0]);
    expect(sse.events).toEqual(["error"]);
    expect(JSON.parse(sse.data.at(-1)!).error.code).toBe("upstream_timeout");
  });
});

describe("per-user limits", () => {
  it("refuses a third concurrent stream with 429 concurrency_limited", async () => {
    const u = await upstream("[[long:6]] [[gap:80]]");
    const { app, metrics } = gateway(onePool(u));
    const uid = newUser();
    const first = await chat(app, streamBody(), undefined, uid);
    const second = await chat(app, streamBody(), undefined, uid);
    const third = await chat(app, streamBody(), undefined, uid);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("2");
    expect(await third.json()).toEqual({
      error: { code: "concurrency_limited", message: errorMessage("concurrency_limited"), retryAfter: 2 },
    });
    expect((await chat(app, streamBody())).status).toBe(200); // someone else
    await Promise.all([first.text(), second.text()]);
    await vi.waitFor(async () => expect((await chat(app, streamBody(), undefined, uid)).status).toBe(200));
    expect(await metricValue(metrics, "gateway_refusals_total", { code: "concurrency_limited" })).toBe(1);
  });

  it("holds the daily cap when replies overlap: the reservation refuses what would pass it", async () => {
    const u = await upstream("[[gap:4]]");
    const { app } = gateway(onePool(u), { limits: { dailyTokens: 400 } });
    const uid = newUser();
    const day = new Date().toISOString().slice(0, 10);
    const spent = async () => Number(await r.redis.get(`${r.prefix}{${uid}}:tokens:${day}`));
    const long = (words: number, maxTokens: number) => ({ ...streamBody("chat", `hi [[long:${words}]]`), max_tokens: maxTokens });

    // Two 250-token replies at once against a 400 cap: the second would overshoot to 500.
    const first = await chat(app, long(250, 250), undefined, uid);
    expect(first.status).toBe(200);
    const second = await chat(app, long(250, 250), undefined, uid);
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ error: { code: "daily_tokens_exhausted" } });
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(usageOf((await readSse(first)).data)?.completionTokens).toBe(250);
    await vi.waitFor(async () => expect(await spent()).toBe(250));

    // What is left is exactly 150; then nothing.
    const third = await chat(app, long(150, 150), undefined, uid);
    expect(third.status).toBe(200);
    await third.text();
    await vi.waitFor(async () => expect(await spent()).toBe(400));
    expect((await chat(app, long(1, 1), undefined, uid)).status).toBe(429);
    expect(await spent()).toBe(400);
  });

  it("gives the unused reservation back, all of it when the upstream fails, and holds the model to it", async () => {
    const broken = await upstream("[[fail:503]]");
    const u = await upstream();
    const down = gateway(onePool(broken, { retries: 0 }), { limits: { dailyTokens: 400 } });
    const up = gateway(onePool(u), { limits: { dailyTokens: 400 } });
    const uid = newUser();
    const day = new Date().toISOString().slice(0, 10);
    const spent = async () => Number(await r.redis.get(`${r.prefix}{${uid}}:tokens:${day}`));

    expect((await chat(down.app, { ...streamBody(), max_tokens: 400 }, undefined, uid)).status).toBe(502);
    await vi.waitFor(async () => expect(await spent()).toBe(0));

    const short = await chat(up.app, { ...streamBody(), max_tokens: 400 }, undefined, uid);
    await short.text();
    await vi.waitFor(async () => expect(await spent()).toBe(devReply("hi").pieces.length));

    // A request without max_tokens reserves the default (1024, more than this cap) and asks the model for no more.
    expect((await chat(up.app, streamBody(), undefined, newUser())).status).toBe(429);
    const roomy = gateway(onePool(u));
    await (await chat(roomy.app, streamBody())).text();
    expect(u.calls.map((c) => (c.body as { max_tokens?: number }).max_tokens)).toEqual([400, 1024]);
  });
});

describe("a user's plan in the token", () => {
  it("sets their limits in place of the gateway's, and their usage says so", async () => {
    const u = await upstream("[[long:30]] [[gap:20]]");
    const { app } = gateway(onePool(u), { limits: { maxConcurrent: 2, dailyTokens: 10_000 } });
    const uid = newUser();
    const plan = { dailyTokens: 600, maxStreams: 1 };
    const asPlanned = async (body: object) => chat(app, body, await mintToken(key, { uid, limits: plan }), uid);
    const usage = async () =>
      (await app.request("/v1/usage", { headers: { authorization: `Bearer ${await mintToken(key, { uid, limits: plan })}` } })).json();

    const first = await asPlanned({ ...streamBody(), max_tokens: 100 });
    expect(first.status).toBe(200);
    const second = await asPlanned({ ...streamBody(), max_tokens: 100 });
    expect(second.status).toBe(429); // one stream at a time on this plan, though the gateway allows two
    expect(await second.json()).toMatchObject({ error: { code: "concurrency_limited" } });
    expect(await usage()).toMatchObject({ usedTokens: 100, dailyTokens: 600, maxStreams: 1 });
    await first.text();
    await vi.waitFor(async () => expect(await usage()).toMatchObject({ usedTokens: 30 }));
    // 600 a day on this plan, though the gateway allows 10,000.
    const big = await asPlanned({ ...streamBody(), max_tokens: 580 });
    expect(big.status).toBe(429);
    expect(await big.json()).toMatchObject({ error: { code: "daily_tokens_exhausted" } });
    const day = (await usage()) as { day: string; resetsIn: number };
    expect(day.day).toBe(new Date().toISOString().slice(0, 10));
    expect(day.resetsIn).toBeGreaterThan(0);
    expect((await app.request("/v1/usage")).status).toBe(401);
  });
});

describe("request validation", () => {
  it("refuses a malformed body and an oversized one", async () => {
    const u = await upstream();
    const { app } = gateway(onePool(u), { maxBodyBytes: 2000 });
    const bad = await chat(app, { model: "chat", messages: [] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: "invalid_input", message: "The request body is not a valid chat completion request." },
    });
    // A ceiling that cannot be reserved is no ceiling.
    expect((await chat(app, { ...streamBody(), max_tokens: -5 })).status).toBe(400);
    expect((await chat(app, { ...streamBody(), max_tokens: "lots" })).status).toBe(400);
    const big = await chat(app, { model: "chat", messages: [{ role: "user", content: "x".repeat(5000) }] });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: "content_too_large" } });
    expect(u.calls).toHaveLength(0);
  });
});

describe("over a real socket", () => {
  it("stops the upstream and frees the user's slot when the client goes away", async () => {
    const u = await upstream("[[long:200]] [[gap:20]]");
    const { app, logs } = gateway(onePool(u), { limits: { maxConcurrent: 1 } });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const uid = newUser();
      const post = async (signal?: AbortSignal) =>
        fetch(`${base}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${await mintToken(key, { uid })}` },
          body: JSON.stringify(streamBody()),
          signal,
        });
      const client = new AbortController();
      const res = await post(client.signal);
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toContain("data: ");
      client.abort();
      await vi.waitFor(() => expect(u.aborted).toBe(1));
      await vi.waitFor(() => expect(usageLine(logs)).toMatchObject({ outcome: "cancelled" }));
      const again = await post();
      expect(again.status).toBe(200);
      await again.body?.cancel();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import Redis from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createGatewayApp } from "./app";
import { createRedisReplayGuard, createTokenVerifier } from "./auth";
import { createRedisLimits, type LimitsConfig } from "./limits";
import { createMetrics } from "./metrics";
import { parsePools } from "./pools";
import {
  connectRedis,
  contentOf,
  failWith,
  type Handler,
  hang,
  ISSUER,
  legacyGenerate,
  makeKey,
  mintToken,
  openAiStream,
  readSse,
  startUpstream,
  type TestKey,
  type TestRedis,
  type Upstream,
  unsecuredToken,
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

async function upstream(handler: Handler): Promise<Upstream> {
  const u = await startUpstream(handler);
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
  const metrics = createMetrics();
  const limits = createRedisLimits(redis, { maxConcurrent: 2, dailyTokens: 10_000, leaseMs: 60_000, prefix: r.prefix, ...setup.limits });
  const app = createGatewayApp({
    verify: createTokenVerifier({ jwks: { keys: [key.publicJwk] }, issuer: ISSUER, replay: createRedisReplayGuard(redis, r.prefix) }),
    pools: parsePools(file),
    limits,
    metrics,
    log: (line) => logs.push(line),
    random: () => 0.5,
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

const streamBody = (model = "chat") => ({ model, stream: true, messages: [{ role: "user", content: "hi" }] });
const usageLine = (logs: LogLine[]) => logs.find((l) => l.msg === "llm_usage");

describe("a valid token", () => {
  it("streams the upstream reply through, with usage counted and logged", async () => {
    const u = await upstream(openAiStream());
    const { app, logs, metrics } = gateway(onePool(u, { upstreamModel: "meta-llama/Llama-3.1-8B-Instruct" }));
    const uid = newUser();
    const res = await chat(app, streamBody(), undefined, uid);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const sse = await readSse(res);
    expect(contentOf(sse.data)).toBe("Hello there!");
    expect(sse.data.at(-1)).toBe("[DONE]");
    expect(sse.events).toEqual([]);

    const call = u.calls[0];
    expect(call.body).toMatchObject({ model: "meta-llama/Llama-3.1-8B-Instruct", stream: true, stream_options: { include_usage: true } });
    expect(call.headers.authorization).toBeUndefined();

    await vi.waitFor(() => expect(usageLine(logs)).toBeDefined());
    expect(usageLine(logs)).toMatchObject({
      outcome: "complete",
      userId: uid,
      model: "chat",
      pool: "main",
      promptTokens: 7,
      completionTokens: 4,
      estimated: false,
      fallback: false,
    });
    expect(usageLine(logs)?.latencyMs).toEqual(expect.any(Number));
    await vi.waitFor(async () => {
      const day = new Date().toISOString().slice(0, 10);
      expect(await r.redis.get(`${r.prefix}{${uid}}:tokens:${day}`)).toBe("4");
    });
    const text = metrics.render();
    expect(text).toContain('gateway_requests_total{model="chat",outcome="complete",pool="main"} 1');
    expect(text).toContain('gateway_completion_tokens_total{model="chat"} 4');
    expect(text).toContain("gateway_streams_in_flight 0");
  });

  it("passes a non-streamed completion through whole", async () => {
    const u = await upstream(openAiStream());
    const { app, logs } = gateway(onePool(u));
    const res = await chat(app, { ...streamBody(), stream: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: "chat.completion", choices: [{ message: { content: "Hello there!" } }] });
    await vi.waitFor(() => expect(usageLine(logs)).toMatchObject({ completionTokens: 4, promptTokens: 7, stream: false }));
  });

  it("lists the models and leaves health and metrics open", async () => {
    const u = await upstream(openAiStream());
    const { app } = gateway({ pools: { a: { models: ["chat", "small"], upstreams: [u.url] } } });
    const models = await app.request("/v1/models", { headers: { authorization: `Bearer ${await mintToken(key)}` } });
    expect(await models.json()).toEqual({
      object: "list",
      data: [
        { id: "chat", object: "model", created: 0, owned_by: "llm-gateway" },
        { id: "small", object: "model", created: 0, owned_by: "llm-gateway" },
      ],
    });
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/readyz")).status).toBe(200);
    const metrics = await app.request("/metrics");
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await metrics.text()).toContain("# TYPE gateway_requests_total counter");
  });
});

describe("tokens that are refused", () => {
  it("answer one identical 401 and reach no model", async () => {
    const u = await upstream(openAiStream());
    const { app, metrics } = gateway(onePool(u));
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

    expect([...bodies]).toEqual(['{"error":{"code":"unauthorized","message":"Missing or invalid tunnel token."}}']);
    expect(u.calls.length).toBe(callsBefore);
    expect(metrics.render()).toContain('gateway_auth_failures_total{reason="replayed"} 1');
  });

  it("answer 503 rather than let a token through when Redis is unreachable", async () => {
    const down = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    const u = await upstream(openAiStream());
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
    const a = await upstream(openAiStream({ tokens: ["from A"] }));
    const b = await upstream(openAiStream({ tokens: ["from B"] }));
    const { app } = gateway({ pools: { big: { models: ["chat"], upstreams: [a.url] }, small: { models: ["small"], upstreams: [b.url] } } });
    expect(contentOf((await readSse(await chat(app, streamBody("small")))).data)).toBe("from B");
    expect(contentOf((await readSse(await chat(app, streamBody("chat")))).data)).toBe("from A");
    const unknown = await chat(app, streamBody("gpt-4"));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "model_not_found" } });
  });

  it("retries a failing upstream, then falls over to the fallback pool under its own model name", async () => {
    const broken = await upstream(failWith(503));
    const backup = await upstream(openAiStream({ tokens: ["backup"] }));
    const { app, logs, metrics } = gateway({
      pools: {
        big: { models: ["chat"], upstreams: [broken.url], retries: 1, fallback: "small" },
        small: { models: ["small"], upstreams: [backup.url] },
      },
    });
    const res = await chat(app, streamBody());
    expect(res.status).toBe(200);
    expect(contentOf((await readSse(res)).data)).toBe("backup");
    expect(broken.calls).toHaveLength(2);
    expect(backup.calls[0].body.model).toBe("small");
    await vi.waitFor(() => expect(usageLine(logs)).toMatchObject({ pool: "small", fallback: true, calls: 3 }));
    expect(metrics.render()).toContain('gateway_upstream_failures_total{pool="big",reason="status_503"} 2');
  });

  it("falls over when the first token does not come in time, and when the stream is empty", async () => {
    const slow = await upstream(hang);
    const empty = await upstream((_c, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end();
    });
    const backup = await upstream(openAiStream({ tokens: ["ok"] }));
    const { app } = gateway({
      pools: {
        big: { models: ["chat"], upstreams: [slow.url], retries: 0, fallback: "mid", timeouts: { firstTokenMs: 150 } },
        mid: { models: ["mid"], upstreams: [empty.url], retries: 0, fallback: "small" },
        small: { models: ["small"], upstreams: [backup.url] },
      },
    });
    const started = Date.now();
    const res = await chat(app, streamBody());
    expect(contentOf((await readSse(res)).data)).toBe("ok");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(slow.aborted).toBe(1); // the abandoned attempt was hung up on
  });

  it("answers 502 when every upstream fails and 504 when they all time out", async () => {
    const broken = await upstream(failWith(500));
    const slow = await upstream(hang);
    const down = gateway(onePool(broken, { retries: 2 }));
    const res = await chat(down.app, streamBody());
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { code: "upstream_unavailable", message: "No model server could take the request." } });
    expect(broken.calls).toHaveLength(3);
    const late = gateway(onePool(slow, { retries: 0, timeouts: { firstTokenMs: 100 } }));
    expect((await chat(late.app, streamBody())).status).toBe(504);
  });

  it("passes an upstream's refusal on without retrying", async () => {
    const strict = await upstream(failWith(400, "maximum context length is 8192 tokens"));
    const { app } = gateway(onePool(strict, { retries: 2 }));
    const res = await chat(app, streamBody());
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "upstream_rejected", message: "The model server rejected the request: maximum context length is 8192 tokens" },
    });
    expect(strict.calls).toHaveLength(1);
  });

  it("never passes an upstream's 401 on as if the caller's token had failed", async () => {
    const locked = await upstream(failWith(401, "bad api key"));
    const { app } = gateway(onePool(locked, { retries: 1 }));
    const res = await chat(app, streamBody());
    expect(res.status).toBe(502);
    expect(locked.calls).toHaveLength(2);
  });

  it("speaks the seed's /generate for legacy pools, streamed or not", async () => {
    const seed = await upstream(legacyGenerate());
    const { app, logs } = gateway({ pools: { seed: { type: "legacy-generate", models: ["legacy"], upstreams: [seed.origin] } } });
    const body = { model: "legacy", stream: true, messages: [{ role: "user", content: "hello" }], metadata: { character_id: "c-9" } };
    const sse = await readSse(await chat(app, body));
    expect(contentOf(sse.data)).toBe("You said: hello");
    expect(sse.data.at(-1)).toBe("[DONE]");
    expect(seed.calls[0]).toMatchObject({ path: "/generate", body: { message: "hello", character_id: "c-9" } });
    const whole = await chat(app, { ...body, stream: false });
    expect(await whole.json()).toMatchObject({ choices: [{ message: { role: "assistant", content: "You said: hello" } }] });
    await vi.waitFor(() => expect(usageLine(logs)).toMatchObject({ estimated: true, pool: "seed" }));
  });
});

describe("a stream that breaks after tokens flowed", () => {
  it("ends with an error event, never a clean end", async () => {
    const u = await upstream(openAiStream({ tokens: ["Hel", "lo", " wor", "ld"], cutAfter: 2 }));
    const { app, logs, metrics } = gateway(onePool(u));
    const res = await chat(app, streamBody());
    expect(res.status).toBe(200);
    const sse = await readSse(res);
    expect(contentOf(sse.data)).toBe("Hello");
    expect(sse.data).not.toContain("[DONE]");
    expect(sse.events).toEqual(["error"]);
    expect(JSON.parse(sse.data.at(-1)!)).toEqual({
      error: { code: "upstream_interrupted", message: "The model server stopped in the middle of the reply." },
    });
    await vi.waitFor(() =>
      expect(usageLine(logs)).toMatchObject({ outcome: "upstream_interrupted", completionTokens: 3, estimated: true }),
    );
    expect(metrics.render()).toContain('gateway_streams_cut_total{pool="main"} 1');
  });

  it("ends with a timeout event when the upstream goes quiet", async () => {
    const u = await upstream(openAiStream({ stallAfter: 1 }));
    const { app } = gateway(onePool(u, { timeouts: { idleMs: 150 } }));
    const sse = await readSse(await chat(app, streamBody()));
    expect(contentOf(sse.data)).toBe("Hel");
    expect(sse.events).toEqual(["error"]);
    expect(JSON.parse(sse.data.at(-1)!).error.code).toBe("upstream_timeout");
  });
});

describe("per-user limits", () => {
  it("refuses a third concurrent stream with 429 concurrency_limited", async () => {
    const u = await upstream(openAiStream({ delayMs: 80 }));
    const { app, metrics } = gateway(onePool(u));
    const uid = newUser();
    const first = await chat(app, streamBody(), undefined, uid);
    const second = await chat(app, streamBody(), undefined, uid);
    const third = await chat(app, streamBody(), undefined, uid);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("2");
    expect(await third.json()).toEqual({
      error: { code: "concurrency_limited", message: "Too many replies are being generated for this user at once.", retryAfter: 2 },
    });
    expect((await chat(app, streamBody())).status).toBe(200); // someone else
    await Promise.all([first.text(), second.text()]);
    await vi.waitFor(async () => expect((await chat(app, streamBody(), undefined, uid)).status).toBe(200));
    expect(metrics.render()).toContain('gateway_limited_total{code="concurrency_limited"} 1');
  });

  it("refuses once the day's tokens are spent with 429 daily_tokens_exhausted", async () => {
    const u = await upstream(openAiStream());
    const { app } = gateway(onePool(u), { limits: { dailyTokens: 3 } });
    const uid = newUser();
    await (await chat(app, streamBody(), undefined, uid)).text();
    await vi.waitFor(async () => {
      const res = await chat(app, streamBody(), undefined, uid);
      expect(res.status).toBe(429);
      expect(await res.json()).toMatchObject({ error: { code: "daily_tokens_exhausted" } });
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    });
  });
});

describe("request validation", () => {
  it("refuses a malformed body and an oversized one", async () => {
    const u = await upstream(openAiStream());
    const { app } = gateway(onePool(u), { maxBodyBytes: 2000 });
    const bad = await chat(app, { model: "chat", messages: [] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "invalid_request" } });
    const big = await chat(app, { model: "chat", messages: [{ role: "user", content: "x".repeat(5000) }] });
    expect(big.status).toBe(413);
    expect(u.calls).toHaveLength(0);
  });
});

describe("over a real socket", () => {
  it("stops the upstream and frees the user's slot when the client goes away", async () => {
    const u = await upstream(openAiStream({ tokens: Array.from({ length: 200 }, (_, i) => `t${i} `), delayMs: 20 }));
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

/**
 * The whole LLM path on loopback: worker → signed tunnel token → the
 * gateway (`npm run gateway`, a real process) → the development LLM. The
 * same chain with a key the gateway does not know is refused there.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { generateTunnelKeys } from "../aks/gateway/keygen";
import { freePort } from "../dev/free-port";
import { client, parseSse, promptsWith, startWorker, unique } from "./worker";

const dir = mkdtempSync(join(tmpdir(), "chain-"));
let gateway: ChildProcess;
let gatewayUrl = "";
let metricsUrl = "";
let privateKey = "";

beforeAll(async () => {
  const keys = await generateTunnelKeys("EdDSA", "test-key");
  privateKey = JSON.stringify(keys.privateJwk);
  const pools = join(dir, "pools.json");
  writeFileSync(
    pools,
    JSON.stringify({
      pools: {
        // A model whose servers serve a window smaller than the worker's configured one.
        windowed: { models: ["windowed-model"], upstreams: [inject("llmBaseUrl")], retries: 0, maxModelLen: 2048 },
        dev: {
          type: "openai",
          models: ["*"],
          upstreams: [inject("llmBaseUrl")],
          retries: 0,
          timeouts: { firstTokenMs: 10000, idleMs: 10000, totalMs: 30000 },
        },
      },
    }),
  );
  const port = await freePort();
  const metricsPort = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  gateway = spawn("npm", ["run", "gateway"], {
    env: {
      ...process.env,
      GATEWAY_PORT: String(port),
      GATEWAY_METRICS_PORT: String(metricsPort),
      GATEWAY_JWKS: JSON.stringify(keys.jwks),
      GATEWAY_POOLS: pools,
      REDIS_URL: inject("redisUrl"),
      GATEWAY_REDIS_PREFIX: `${unique("chain:")}:`,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: npm does not pass a signal on to the gateway it started.
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("gateway_listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    gateway.stdout!.on("data", onData);
    gateway.stderr!.on("data", onData);
  });
});
afterAll(() => {
  if (gateway?.pid) process.kill(-gateway.pid, "SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

describe("worker → gateway → model", () => {
  it("streams a chat through the whole chain with a signed token", async () => {
    const stack = await startWorker({ llmBaseUrl: `${gatewayUrl}/v1`, env: { TUNNEL_SIGNING_KEY: privateKey } });
    try {
      const api = client(stack.url);
      const me = await api.register();
      const ch = await api.character(me);
      const marker = unique("chain");
      const res = await api.call(`/api/chats/${ch.id}/messages`, {
        method: "POST",
        as: me,
        headers: { accept: "text/event-stream" },
        json: { content: `through the tunnel ${marker}` },
      });
      expect(res.status).toBe(200);
      const events = parseSse(await res.text());
      expect(events.filter((e) => e.event === "token").length).toBeGreaterThan(3);
      expect(events.at(-1)!.event).toBe("done");
      // What reached the model came through the gateway, which strips the worker's token.
      const [prompt] = await promptsWith(marker);
      expect(prompt).toBeDefined();
      const metrics = await (await fetch(metricsUrl)).text();
      expect(metrics).toMatch(/gateway_request_duration_seconds_count\{[^}]*outcome="complete"[^}]*\} [1-9]/);
    } finally {
      await stack.close();
    }
  });

  it("sizes the worker's prompt budget to the window the gateway reports for the model", async () => {
    const env = { TUNNEL_SIGNING_KEY: privateKey, LLM_CONTEXT_TOKENS: "8192", LLM_MAX_REPLY_TOKENS: "512" };
    const budgetWith = async (model: string) => {
      const stack = await startWorker({ llmBaseUrl: `${gatewayUrl}/v1`, env: { ...env, LLM_MODEL: model } });
      try {
        const api = client(stack.url);
        const me = await api.register();
        const ch = await api.character(me);
        const marker = unique("window");
        const r = await api.say(me, ch.id, `how wide is the window ${marker}`);
        expect(r.status).toBe(200);
        expect(await promptsWith(marker)).toHaveLength(1);
        const res = await api.call(`/api/chats/${ch.id}/messages/${r.body.reply.id}/context`, { as: me });
        const { ledger } = (await res.json()) as { ledger: { budget: number; used: number } };
        expect(ledger.used).toBeLessThanOrEqual(ledger.budget);
        return ledger.budget;
      } finally {
        await stack.close();
      }
    };
    // The catch-all pool says nothing: the configured window holds.
    expect(await budgetWith("development")).toBe(8192 - 512);
    // The gateway says 2048 for this model: the worker budgets 2048 − 512 for the prompt.
    expect(await budgetWith("windowed-model")).toBe(2048 - 512);
  });

  it("enforces the user's plan from PostgreSQL at the gateway, and shows today's usage in the profile", async () => {
    // Replies of at most 100 tokens against a plan of 150 a day: one 80-token reply leaves too little for the next.
    const stack = await startWorker({
      llmBaseUrl: `${gatewayUrl}/v1`,
      env: { TUNNEL_SIGNING_KEY: privateKey, LLM_MAX_REPLY_TOKENS: "100" },
    });
    const sql = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
    try {
      const api = client(stack.url);
      const me = await api.register();
      const plan = unique("tiny-");
      await sql`INSERT INTO plans (id, daily_tokens, max_streams) VALUES (${plan}, 150, 1)`;
      await sql`UPDATE users SET plan_id = ${plan} WHERE id = ${me.userId}`;
      const usage = async () => (await (await api.call("/api/me/usage", { as: me })).json()) as Record<string, unknown>;
      expect(await usage()).toEqual({ plan, dailyTokens: 150, maxStreams: 1, today: expect.objectContaining({ usedTokens: 0 }) });

      const ch = await api.character(me);
      const first = await api.say(me, ch.id, `a long answer please ${unique("plan")} [[long:80]]`);
      expect(first.status).toBe(200);
      await expect.poll(async () => ((await usage()).today as { usedTokens: number }).usedTokens).toBe(80);
      const second = await api.say(me, ch.id, `and another ${unique("plan")}`);
      expect(second.status).toBe(429);
      expect((await api.call("/api/me/usage")).status).toBe(401);
    } finally {
      await sql.end();
      await stack.close();
    }
  });

  it("is refused at the gateway when the worker signs with a key it does not know", async () => {
    const other = await generateTunnelKeys("EdDSA", "test-key");
    const stack = await startWorker({ llmBaseUrl: `${gatewayUrl}/v1`, env: { TUNNEL_SIGNING_KEY: JSON.stringify(other.privateJwk) } });
    try {
      const api = client(stack.url);
      const me = await api.register();
      const ch = await api.character(me);
      const marker = unique("refused");
      const r = await api.say(me, ch.id, `should not arrive ${marker}`);
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe("upstream_error");
      expect(await promptsWith(marker)).toHaveLength(0);
      expect(await (await fetch(metricsUrl)).text()).toMatch(/gateway_refusals_total\{code="unauthorized"\} [1-9]/);
      // And with no token at all, the gateway answers 401 itself.
      const direct = await fetch(`${gatewayUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "x", messages: [{ role: "user", content: marker }] }),
      });
      expect(direct.status).toBe(401);
    } finally {
      await stack.close();
    }
  });

  it("shows the gateway's per-user stream limit to the user as a 429 with Retry-After", async () => {
    const stack = await startWorker({ llmBaseUrl: `${gatewayUrl}/v1`, env: { TUNNEL_SIGNING_KEY: privateKey } });
    try {
      const api = client(stack.url);
      const me = await api.register();
      const chars = [await api.character(me), await api.character(me), await api.character(me)];
      const long = chars.slice(0, 2).map((c) =>
        api.call(`/api/chats/${c.id}/messages`, {
          method: "POST",
          as: me,
          headers: { accept: "text/event-stream" },
          json: { content: "[[long:150]] [[gap:20]] talk" },
        }),
      );
      const streams = await Promise.all(long);
      const third = await api.call(`/api/chats/${chars[2].id}/messages`, {
        method: "POST",
        as: me,
        headers: { accept: "application/json" },
        json: { content: "one more" },
      });
      expect(third.status).toBe(429);
      expect(((await third.json()) as { error: { code: string } }).error.code).toBe("concurrency_limited");
      expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
      await Promise.all(streams.map((r) => r.text()));
    } finally {
      await stack.close();
    }
  });
});

/** Liveness, readiness (each dependency reported), and what the client should show. */
import { Hono } from "hono";
import { ping } from "../db/client";
import { llmSettings } from "../llm/config";
import type { AppEnv } from "../resources";

async function check(fn: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message.slice(0, 200) : "failed" };
  }
}

export const healthRoutes = new Hono<AppEnv>()
  .get("/healthz", (c) => c.json({ ok: true }))
  .get("/readyz", async (c) => {
    const llm = llmSettings(c.env);
    const [postgres, redis, llmCheck] = await Promise.all([
      check(() => ping(c.var.db())),
      c.env.REDIS_URL
        ? check(async () => {
            const r = await c.var.redis.get();
            if (!r) throw new Error("unreachable");
            await r.ping();
          })
        : Promise.resolve({ ok: true, error: "not configured (no shared cache)" }),
      llm.baseUrl
        ? check(async () => {
            const res = await fetch(llm.provider === "legacy" ? llm.baseUrl : `${llm.baseUrl}/models`, {
              signal: AbortSignal.timeout(2000),
            });
            if (res.status >= 500) throw new Error(`status ${res.status}`);
            await res.body?.cancel();
          })
        : Promise.resolve({ ok: false, error: "LLM_BASE_URL not configured" }),
    ]);
    const ready = postgres.ok && redis.ok && llmCheck.ok;
    return c.json({ ready, checks: { postgres, redis, llm: llmCheck } }, ready ? 200 : 503);
  })
  .get("/api/meta", (c) => c.json({ devLlm: c.env.DEV_LLM === "1", model: c.env.LLM_MODEL ?? "development" }));

/**
 * Liveness, readiness, and what the client should show. Anonymous callers
 * of /readyz learn only whether the service is ready; each dependency's
 * state (as an error code, never an error's text) is shown only to a caller
 * holding the operator token (OPS_TOKEN, compared in constant time).
 */
import { type Context, Hono } from "hono";
import { sha256Hex } from "../auth/tokens";
import { ping } from "../db/client";
import { llmSettings } from "../llm/config";
import { errorKind } from "../log";
import type { AppEnv } from "../resources";

type Check = { ok: boolean; error?: string };

async function check(fn: () => Promise<unknown>): Promise<Check> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: errorKind(err) };
  }
}

/** True when the request carries the operator token; digests are compared so timing says nothing of the token. */
async function isOperator(c: Context<AppEnv>): Promise<boolean> {
  const expected = c.env.OPS_TOKEN;
  const given = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (!expected || !given) return false;
  const [a, b] = await Promise.all([sha256Hex(given), sha256Hex(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
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
            if (!r) throw Object.assign(new Error("unreachable"), { code: "unreachable" });
            await r.ping();
          })
        : Promise.resolve({ ok: true, error: "not_configured" }),
      llm.baseUrl
        ? check(async () => {
            const res = await fetch(llm.provider === "legacy" ? llm.baseUrl : `${llm.baseUrl}/models`, {
              signal: AbortSignal.timeout(2000),
            });
            await res.body?.cancel();
            if (res.status >= 500) throw Object.assign(new Error("upstream"), { code: `status_${res.status}` });
          })
        : Promise.resolve({ ok: false, error: "not_configured" }),
    ]);
    const ready = postgres.ok && redis.ok && llmCheck.ok;
    const status = ready ? 200 : 503;
    if (!(await isOperator(c))) return c.json({ ready }, status);
    return c.json({ ready, checks: { postgres, redis, llm: llmCheck } }, status);
  })
  .get("/api/meta", (c) => c.json({ devLlm: c.env.DEV_LLM === "1", model: c.env.LLM_MODEL ?? "development" }));

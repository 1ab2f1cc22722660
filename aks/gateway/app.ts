/**
 * The LLM gateway as a Hono app: health and metrics in the open, everything
 * under `/v1` behind the worker's tunnel token. Dependencies come in as
 * arguments so tests build the app against real Redis and loopback upstreams.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { z } from "zod";
import { requireTunnelToken, type TokenVerifier } from "./auth";
import { errorResponse, GatewayError } from "./errors";
import type { Limits } from "./limits";
import { createMetrics, type Metrics } from "./metrics";
import { listModels, type PoolTable, planAttempts } from "./pools";
import { type ChatBody, type Completion, proxyChat } from "./proxy";
import { createGatewayTracing, type GatewayTracing } from "./tracing";
import type { GatewayEnv, Logger } from "./types";

export interface GatewayDeps {
  verify: TokenVerifier;
  pools: PoolTable;
  limits: Limits;
  metrics?: Metrics;
  log?: Logger;
  fetch?: typeof fetch;
  now?: () => number;
  /** Picks upstreams by weight; tests fix it. */
  random?: () => number;
  maxBodyBytes?: number;
  /** Spans (tracing.ts); without it nothing is recorded, but a traceparent still goes on upstream. */
  tracing?: GatewayTracing;
}

const chatSchema = z.looseObject({
  model: z.string().min(1).max(200),
  messages: z.array(z.looseObject({ role: z.string().min(1) })).min(1),
  stream: z.boolean().optional(),
});

export const jsonLogger: Logger = (line) => console.log(JSON.stringify({ ts: new Date().toISOString(), ...line }));

export function createGatewayApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const metrics = deps.metrics ?? createMetrics();
  const log = deps.log ?? jsonLogger;
  const now = deps.now ?? Date.now;
  const tracing = deps.tracing ?? createGatewayTracing({ exporter: "none", url: "", headers: {}, resource: {}, ratio: 0 });
  const app = new Hono<GatewayEnv>();

  app.use(requestId());
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => ((await deps.limits.ping()) ? c.json({ ok: true }) : c.json({ ok: false }, 503)));
  app.get("/metrics", (c) => c.body(metrics.render(), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }));

  app.use("/v1/*", tracing.requests());
  app.use("/v1/*", tracing.around("gateway.auth", requireTunnelToken(deps.verify, metrics)));

  app.get("/v1/models", (c) =>
    c.json({ object: "list", data: listModels(deps.pools).map((id) => ({ id, object: "model", created: 0, owned_by: "llm-gateway" })) }),
  );

  app.post(
    "/v1/chat/completions",
    bodyLimit({ maxSize: deps.maxBodyBytes ?? 1_000_000, onError: () => errorResponse("content_too_large") }),
    async (c) => {
      const identity = c.get("identity");
      const parsed = chatSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) throw new GatewayError("invalid_input", { message: "The request body is not a valid chat completion request." });
      const body = parsed.data as ChatBody;
      const attempts = planAttempts(deps.pools, body.model, deps.random);
      if (attempts.length === 0) throw new GatewayError("model_not_found");

      const admission = await deps.limits.admit(identity.userId);
      if (!admission.ok) {
        metrics.inc("gateway_limited_total", { code: admission.code });
        return errorResponse(admission.code, { retryAfter: admission.retryAfter });
      }

      const startedAt = now();
      const trace = tracing.pool(c, { "gen_ai.request.model": body.model, "gateway.stream": body.stream === true });
      const line = {
        requestId: c.get("requestId"),
        traceId: tracing.traceId(c),
        userId: identity.userId,
        sessionId: identity.sessionId,
        model: body.model,
        stream: body.stream === true,
      };
      metrics.add("gateway_streams_in_flight", 1);
      const settle = (outcome: string, completion?: Completion) => {
        metrics.add("gateway_streams_in_flight", -1);
        trace.end(outcome, completion);
        void admission.lease.release();
        const pool = completion?.attempt.pool.name ?? "none";
        const latencyMs = now() - startedAt;
        metrics.inc("gateway_requests_total", { model: body.model, pool, outcome });
        metrics.inc("gateway_request_duration_seconds_total", { model: body.model }, latencyMs / 1000);
        if (completion) {
          metrics.inc("gateway_completion_tokens_total", { model: body.model }, completion.completionTokens);
          metrics.inc("gateway_prompt_tokens_total", { model: body.model }, completion.promptTokens ?? 0);
          if (completion.attempt.fallback) metrics.inc("gateway_fallbacks_total", { pool });
          if (outcome === "upstream_interrupted" || outcome === "upstream_timeout") metrics.inc("gateway_streams_cut_total", { pool });
          deps.limits.recordTokens(identity.userId, completion.completionTokens).catch(() => {
            log({ msg: "llm_usage_not_counted", requestId: line.requestId, userId: identity.userId, tokens: completion.completionTokens });
          });
        }
        log({
          msg: "llm_usage",
          ...line,
          outcome,
          pool,
          upstreamModel: completion?.attempt.model,
          upstream: completion ? new URL(completion.attempt.upstream.url).host : undefined,
          fallback: completion?.attempt.fallback ?? false,
          calls: completion?.calls,
          promptTokens: completion?.promptTokens ?? null,
          completionTokens: completion?.completionTokens ?? 0,
          estimated: completion?.estimated ?? false,
          ttftMs: completion?.ttftMs,
          latencyMs,
        });
      };

      try {
        const proxied = await proxyChat(body, attempts, c.req.raw.signal, {
          fetch: trace.fetch(deps.fetch ?? fetch),
          now,
          onAttemptFailed: (attempt, reason) => {
            trace.attemptFailed(reason);
            metrics.inc("gateway_upstream_failures_total", { pool: attempt.pool.name, reason });
          },
        });
        void proxied.done.then((completion) => settle(completion.outcome, completion));
        return proxied.response;
      } catch (err) {
        settle(err instanceof GatewayError ? err.code : "internal");
        throw err;
      }
    },
  );

  app.notFound(() => errorResponse("not_found"));
  app.onError((err, c) => {
    if (err instanceof GatewayError) return err.toResponse();
    log({
      msg: "gateway_error",
      requestId: c.get("requestId"),
      traceId: tracing.traceId(c),
      error: err instanceof Error ? err.message : String(err),
    });
    return errorResponse("internal");
  });
  return app;
}

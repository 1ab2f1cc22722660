/**
 * The LLM gateway as a Hono app: health in the open, everything under `/v1`
 * behind the worker's tunnel token. Its metrics are served apart, on their own
 * port (metrics.ts). Dependencies come in as
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
import { listModels, modelWindow, type PoolTable, planAttempts } from "./pools";
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
  maxBodyBytes?: number;
  /** Tokens reserved, and asked of the model, when a request sets no `max_tokens` (default 1024). */
  defaultMaxTokens?: number;
  /** Spans (tracing.ts); without it nothing is recorded, but a traceparent still goes on upstream. */
  tracing?: GatewayTracing;
}

const chatSchema = z.looseObject({
  model: z.string().min(1).max(200),
  messages: z.array(z.looseObject({ role: z.string().min(1) })).min(1),
  stream: z.boolean().optional(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
});

export const jsonLogger: Logger = (line) => console.log(JSON.stringify({ ts: new Date().toISOString(), ...line }));

export function createGatewayApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const metrics = deps.metrics ?? createMetrics(deps.pools.pools.keys());
  const log = deps.log ?? jsonLogger;
  const now = deps.now ?? Date.now;
  const tracing = deps.tracing ?? createGatewayTracing({ exporter: "none", url: "", headers: {}, resource: {}, ratio: 0 });
  const app = new Hono<GatewayEnv>();

  app.use(requestId());
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => ((await deps.limits.ping()) ? c.json({ ok: true }) : c.json({ ok: false }, 503)));

  app.use("/v1/*", tracing.requests());
  // Every refusal is the same 401; why (missing, invalid, replayed) is for the logs only.
  app.use(
    "/v1/*",
    tracing.around(
      "gateway.auth",
      requireTunnelToken(deps.verify, (reason, c) => {
        metrics.refusals.inc({ code: "unauthorized" });
        log({ msg: "tunnel_token_refused", requestId: c.get("requestId"), traceId: tracing.traceId(c), reason });
      }),
    ),
  );

  // `max_model_len` as vLLM names it: the worker sizes its prompts to it.
  app.get("/v1/models", (c) =>
    c.json({
      object: "list",
      data: listModels(deps.pools).map((id) => {
        const window = modelWindow(deps.pools, id);
        return { id, object: "model", created: 0, owned_by: "llm-gateway", ...(window === undefined ? {} : { max_model_len: window }) };
      }),
    }),
  );

  // The caller's day against their limits: what the worker shows the user in their profile.
  app.get("/v1/usage", async (c) => {
    const identity = c.get("identity");
    return c.json(await deps.limits.usage(identity.userId, identity.limits));
  });

  app.post(
    "/v1/chat/completions",
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? 1_000_000,
      onError: () => {
        metrics.refusals.inc({ code: "content_too_large" });
        return errorResponse("content_too_large");
      },
    }),
    async (c) => {
      const receivedAt = now();
      const identity = c.get("identity");
      const parsed = chatSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) throw new GatewayError("invalid_input", { message: "The request body is not a valid chat completion request." });
      const body = parsed.data as ChatBody;
      // The verified session (one conversation) keeps its turns on one replica's prefix cache.
      const attempts = planAttempts(deps.pools, body.model, Math.random, identity.sessionId);
      if (attempts.length === 0) throw new GatewayError("model_not_found");

      // The reply's ceiling is reserved from the user's day up front, and the model held to it.
      const requested = parsed.data.max_completion_tokens ?? parsed.data.max_tokens ?? undefined;
      const reserve = requested ?? deps.defaultMaxTokens ?? 1024;
      const admission = await deps.limits.admit(identity.userId, reserve, identity.limits);
      if (!admission.ok) {
        metrics.refusals.inc({ code: admission.code });
        return errorResponse(admission.code, { retryAfter: admission.retryAfter });
      }

      // The routed pool carries the in-flight count; a catch-all pool's model names are not labels.
      const routed = attempts[0].pool.name;
      const model = deps.pools.byModel.has(body.model) ? body.model : "*";
      const relayed = body.stream === true && attempts[0].pool.type === "openai";
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
      metrics.inFlight.inc({ pool: routed });
      const settle = (outcome: string, completion?: Completion) => {
        metrics.inFlight.dec({ pool: routed });
        trace.end(outcome, completion);
        void admission.lease.release();
        const pool = completion?.attempt.pool.name ?? "none";
        const endedAt = now();
        const latencyMs = endedAt - startedAt;
        metrics.requestDuration.observe({ pool: completion ? pool : routed, model, outcome }, (endedAt - receivedAt) / 1000);
        if (completion) {
          const firstTokenAt = startedAt + completion.ttftMs;
          metrics.timeToFirstToken.observe({ pool, model }, (firstTokenAt - receivedAt) / 1000);
          // A whole (non-streamed or legacy) answer arrives at once: it has no rate to measure.
          const streamedMs = endedAt - firstTokenAt;
          if (relayed && streamedMs > 0 && completion.completionTokens > 0) {
            metrics.tokensPerSecond.observe({ pool, model }, completion.completionTokens / (streamedMs / 1000));
          }
        }
        // Settled however the reply ended: a failed request gives its whole reservation back.
        const used = completion?.completionTokens ?? 0;
        admission.lease.settle(used).catch(() => {
          log({ msg: "llm_usage_not_settled", requestId: line.requestId, userId: identity.userId, reserved: reserve, tokens: used });
        });
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
        const upstreamBody = requested === undefined ? { ...body, max_tokens: reserve } : body;
        const proxied = await proxyChat(upstreamBody, attempts, c.req.raw.signal, {
          fetch: trace.fetch(deps.fetch ?? fetch),
          now,
          onAttemptFailed: (attempt, reason) => {
            trace.attemptFailed(reason);
            metrics.upstreamFailures.inc({ pool: attempt.pool.name, reason });
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
    if (err instanceof GatewayError) {
      // An upstream's failure is not the gateway refusing: it shows in the duration's outcome.
      if (!err.code.startsWith("upstream_")) metrics.refusals.inc({ code: err.code });
      return err.toResponse();
    }
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

/**
 * The gateway's part of a trace: a server span per `/v1` request continuing
 * the worker's `traceparent`, `gateway.auth` around the token check,
 * `gateway.pool` around routing and proxying a completion, and a
 * `gateway.upstream` client span per attempt, whose `traceparent` goes on to
 * the model server (vLLM continues it when run with `--otlp-traces-endpoint`).
 * Spans leave in batches every OTEL_BSP_SCHEDULE_DELAY ms, off the request
 * path, to OTLP/HTTP JSON, the console or a JSONL file (one OTLP request per
 * line, as the OpenTelemetry Collector's file exporter writes them).
 *
 * Why not the OpenTelemetry Node SDK: the gateway needs four spans per
 * request and W3C propagation on one outgoing fetch. The recorder and OTLP
 * encoding the worker already needs (worker/shared/spans.ts, where the SDK
 * does not run) do that in ~150 lines with no dependency; the SDK would add
 * a dozen packages to the image for auto-instrumentation we would not use
 * (the streaming body is piped, never touched, either way), and a second
 * encoding of the same spans to keep in agreement.
 */
import { appendFile } from "node:fs/promises";
import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { type Attrs, answered, createTracer, type Span, type SpanRecord, toOtlpJson } from "../../worker/shared/spans";
import { parseTraceparent, TRACEPARENT } from "../../worker/shared/trace-context";
import { exportSpans, TRACE_SCOPE, type TraceExportConfig, traceExportConfig } from "../../worker/shared/trace-export";
import type { Completion } from "./proxy";
import type { GatewayEnv, Logger } from "./types";

export const GATEWAY_SERVICE = "llm-gateway";

/** The spans of one chat completion's routing and upstream calls. */
export interface PoolTrace {
  /** `fetch` with each call a `gateway.upstream` span whose context goes upstream as `traceparent`. */
  fetch(inner: typeof fetch): typeof fetch;
  /** An attempt failed before the first token (the proxy's onAttemptFailed). */
  attemptFailed(reason: string): void;
  /** The completion is over, however it ended; the request's span ends with it. */
  end(outcome: string, completion?: Completion): void;
}

export interface GatewayTracing {
  /** Middleware: the request's server span. */
  requests(): MiddlewareHandler<GatewayEnv>;
  /** `mw` inside a child span of the request's, e.g. `gateway.auth`; refused when `mw` answers itself. */
  around(name: string, mw: MiddlewareHandler<GatewayEnv>): MiddlewareHandler<GatewayEnv>;
  pool(c: Context<GatewayEnv>, attrs: Attrs): PoolTrace;
  /** The request's trace id, for its log lines. */
  traceId(c: Context<GatewayEnv>): string | undefined;
  /** Exports what is waiting (on SIGTERM, and by tests). */
  flush(): Promise<void>;
  readonly exporter: TraceExportConfig["exporter"];
}

interface RequestTrace {
  span: Span;
  /** Set while a streamed reply outlives the handler. */
  pending?: Promise<void>;
}

export interface TracingOptions {
  log?: Logger;
  fetch?: typeof fetch;
  /** Milliseconds between exports (OTEL_BSP_SCHEDULE_DELAY, default 5000). */
  delayMs?: number;
}

/** The gateway's tracing from its environment (OTEL_* variables, see worker/shared/trace-export.ts). */
export function gatewayTracingFromEnv(env: Record<string, string | undefined>, log?: Logger): GatewayTracing {
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  return createGatewayTracing(traceExportConfig(env, GATEWAY_SERVICE), { log, delayMs: delay > 0 ? delay : undefined });
}

export function createGatewayTracing(cfg: TraceExportConfig, options: TracingOptions = {}): GatewayTracing {
  const tracer = createTracer({ recording: cfg.exporter !== "none", ratio: cfg.ratio });
  const byRequest = new WeakMap<Context, RequestTrace>();
  let exporting: Promise<void> = Promise.resolve();

  async function send(records: SpanRecord[]): Promise<void> {
    let reason: string | null = null;
    if (cfg.exporter === "file" && cfg.file) {
      try {
        await appendFile(cfg.file, `${JSON.stringify(toOtlpJson(cfg.resource, TRACE_SCOPE, records))}\n`);
      } catch {
        reason = "file_unwritable";
      }
    } else {
      reason = await exportSpans(cfg, records, options.fetch ?? fetch);
    }
    if (reason) options.log?.({ msg: "trace_export_failed", reason, spans: records.length });
  }
  const flush = (): Promise<void> => {
    const records = tracer.take();
    // One export at a time, in order.
    if (records.length > 0) exporting = exporting.then(() => send(records));
    return exporting;
  };
  if (cfg.exporter !== "none") setInterval(() => void flush(), options.delayMs ?? 5000).unref();

  return {
    exporter: cfg.exporter,
    flush,
    traceId: (c) => byRequest.get(c)?.span.context.traceId,

    requests: () => async (c, next) => {
      const span = tracer.start(c.req.method, {
        parent: parseTraceparent(c.req.header(TRACEPARENT)),
        kind: "server",
        attrs: { "http.request.method": c.req.method },
      });
      const trace: RequestTrace = { span };
      byRequest.set(c, trace);
      try {
        await next();
      } finally {
        answered(span, c.req.method, routePath(c, -1), c.res.status);
        if (trace.pending) void trace.pending.then(() => span.end());
        else span.end();
      }
    },

    around: (name, mw) => async (c, next) => {
      const span = byRequest.get(c)?.span.child(name);
      let passed = false;
      try {
        const res = await mw(c, async () => {
          passed = true;
          span?.end();
          await next();
        });
        if (!passed) span?.fail(res instanceof Response ? `status_${res.status}` : "refused");
        return res;
      } catch (err) {
        if (!passed) span?.fail(err instanceof Error ? err.name : "error");
        throw err;
      } finally {
        span?.end();
      }
    },

    pool(c, attrs) {
      const trace = byRequest.get(c);
      const span = trace?.span.child("gateway.pool", "internal", attrs);
      const startedAt = Date.now();
      let release = () => {};
      if (trace) trace.pending = new Promise<void>((r) => (release = r));
      /** The attempt whose outcome is not known yet. */
      let open: Span | undefined;
      let attempts = 0;
      const close = (reason?: string) => {
        if (reason) open?.fail(reason);
        open?.end();
        open = undefined;
      };
      return {
        fetch: (inner) => async (input, init) => {
          close("abandoned");
          const url = new URL(input instanceof Request ? input.url : String(input));
          const up = span?.child("gateway.upstream", "client", {
            "http.request.method": init?.method ?? "GET",
            "server.address": url.hostname,
            "server.port": Number(url.port) || undefined,
            "url.path": url.pathname,
            "gateway.attempt": ++attempts,
          });
          open = up;
          const headers = { ...headerRecord(init?.headers), ...(up ? { [TRACEPARENT]: up.traceparent() } : {}) };
          try {
            const res = await inner(input, { ...init, headers });
            up?.set({ "http.response.status_code": res.status });
            if (!res.ok) up?.fail(`status_${res.status}`);
            return res;
          } catch (err) {
            up?.fail("error");
            throw err;
          }
        },
        attemptFailed: (reason) => close(reason),
        end(outcome, completion) {
          close(outcome === "complete" ? undefined : outcome);
          if (completion) {
            span?.event("first_token", startedAt + completion.ttftMs);
            span?.set({
              "gateway.pool": completion.attempt.pool.name,
              "gateway.fallback": completion.attempt.fallback,
              "gateway.calls": completion.calls,
              "gen_ai.response.model": completion.attempt.model,
              "gen_ai.usage.input_tokens": completion.promptTokens,
              "gen_ai.usage.output_tokens": completion.completionTokens,
              "gateway.usage_estimated": completion.estimated,
            });
          }
          span?.set({ "gateway.outcome": outcome });
          if (outcome !== "complete" && outcome !== "cancelled") span?.fail(outcome);
          span?.end();
          release();
        },
      };
    },
  };
}

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(headers);
  return { ...headers };
}

/**
 * Middleware: one server span per API request, continuing the caller's
 * `traceparent` or starting a trace. The span is `c.var.trace`; routes hand
 * its context to the session object, and log lines carry its trace id. The
 * spans leave with `waitUntil` once the response is on its way: for a
 * streamed turn the span ends when the stream starts (the first token).
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../resources";
import { answered } from "../shared/spans";
import { parseTraceparent, sampledAtRatio, TRACEPARENT } from "../shared/trace-context";
import { createWorkerTracer, workerTraceConfig } from "../tracing";

export function traceRequests(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const cfg = workerTraceConfig(c.env);
    const waitUntil = (p: Promise<unknown>) => {
      try {
        c.executionCtx.waitUntil(p);
      } catch {
        // app.request() in unit tests has no execution context: the export just runs.
      }
    };
    const tracer = createWorkerTracer(cfg, waitUntil);
    const incoming = parseTraceparent(c.req.header(TRACEPARENT));
    // The public edge keeps a caller's trace id and parent but samples itself:
    // a client's flag must not switch recording on for every request it sends.
    const parent = incoming && { ...incoming, sampled: sampledAtRatio(incoming.traceId, cfg.ratio) };
    const span = tracer.start(c.req.method, { parent, kind: "server", attrs: { "http.request.method": c.req.method } });
    c.set("trace", span);
    try {
      await next();
    } finally {
      answered(span, c.req.method, routePath(c, -1), c.res.status);
      span.end();
      span.flush();
    }
  };
}

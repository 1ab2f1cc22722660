/**
 * The worker's tracing: a tracer per request (worker/http/trace-requests.ts)
 * and per session-object call, each exporting its ended spans through
 * waitUntil after the response, never on the streaming path. Nothing is kept
 * between requests; the configuration is read from the Env each time (a few
 * string reads).
 */
import type { Env } from "./env";
import { logEvent } from "./log";
import { createTracer, type Tracer } from "./shared/spans";
import { exportSpans, type TraceExportConfig, traceExportConfig } from "./shared/trace-export";

export const WORKER_SERVICE = "character-chat-worker";

export function workerTraceConfig(env: Env): TraceExportConfig {
  const cfg = traceExportConfig(env, WORKER_SERVICE);
  // workerd has no file system to append to.
  return cfg.exporter === "file" ? { ...cfg, exporter: "none" } : cfg;
}

/** A tracer whose flush() sends the ended spans off to the side with `waitUntil`. */
export function createWorkerTracer(cfg: TraceExportConfig, waitUntil: (p: Promise<unknown>) => void): Tracer {
  return createTracer({
    recording: cfg.exporter !== "none",
    ratio: cfg.ratio,
    onFlush: (records) =>
      waitUntil(
        exportSpans(cfg, records).then((reason) => {
          if (reason) logEvent("warn", "trace_export_failed", { reason, spans: records.length });
        }),
      ),
  });
}

/**
 * The session object's spans. A call that may start a reply gets a server
 * span continuing the worker request's traceparent (from the caller); the
 * turn runner hangs the prompt and upstream spans under it. Each call has
 * its own tracer, so its spans leave together in one export through the
 * object's waitUntil: when the call returns, or when the reply it started
 * ends (traced-call.ts), never while tokens stream.
 */
import type { Span } from "../shared/spans";
import { parseTraceparent } from "../shared/trace-context";
import type { TraceExportConfig } from "../shared/trace-export";
import { createWorkerTracer } from "../tracing";
import type { Caller } from "./types";

export function createCallTracing(cfg: TraceExportConfig, waitUntil: (p: Promise<unknown>) => void) {
  return {
    /** The span of one RPC call, `ChatSession/<method>`. */
    start(method: string, caller: Caller): Span {
      return createWorkerTracer(cfg, waitUntil).start(`ChatSession/${method}`, {
        parent: parseTraceparent(caller.traceparent),
        kind: "server",
        attrs: {
          "rpc.system": "cloudflare_durable_object",
          "rpc.service": "ChatSession",
          "rpc.method": method,
          // Which conversation of the pair, without its id.
          "chat.conversation": caller.chat === undefined || caller.chat === "main" ? "main" : "other",
        },
      });
    },
  };
}

export type CallTracing = ReturnType<typeof createCallTracing>;

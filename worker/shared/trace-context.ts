/**
 * W3C Trace Context, written once: the `traceparent` header that carries a
 * trace from the browser's request through the worker, the session object,
 * the tunnel and the gateway to the model server. Pure (ids come from
 * WebCrypto, present in workerd and Node alike); the worker and the gateway
 * both import it.
 */

/** The part of a span that crosses process boundaries. */
export interface SpanContext {
  /** 32 lowercase hex characters, never all zeros. */
  traceId: string;
  /** 16 lowercase hex characters, never all zeros. */
  spanId: string;
  /** The caller recorded (or may record) this trace: the `sampled` flag. */
  sampled: boolean;
}

export const TRACEPARENT = "traceparent";

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const HEX2 = /^[0-9a-f]{2}$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/**
 * Reads a `traceparent` header. Anything that breaks the W3C rules (wrong
 * lengths, uppercase or non-hex digits, all-zero ids, version `ff`, version
 * 00 with extra fields) gives null: the caller then starts a new trace.
 * Versions above 00 are read by their first four fields, as the spec asks.
 */
export function parseTraceparent(header: string | null | undefined): SpanContext | null {
  if (!header) return null;
  const value = header.trim();
  if (value.length < 55) return null;
  const version = value.slice(0, 2);
  if (!HEX2.test(version) || version === "ff") return null;
  if (version === "00" ? value.length !== 55 : value.length > 55 && value[55] !== "-") return null;
  const [, traceId, spanId, flags] = value.slice(0, 55).split("-");
  if (value[2] !== "-" || value[35] !== "-" || value[52] !== "-") return null;
  if (!TRACE_ID.test(traceId) || traceId === ZERO_TRACE) return null;
  if (!SPAN_ID.test(spanId) || spanId === ZERO_SPAN) return null;
  if (!HEX2.test(flags)) return null;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** The `traceparent` header naming `ctx` as the parent of whatever the receiver does. */
export function formatTraceparent(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? "01" : "00"}`;
}

/** Random lowercase hex of `bytes` bytes, never all zeros. */
export function randomHexId(bytes: 8 | 16): string {
  const buf = new Uint8Array(bytes);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf.some((b) => b !== 0)) break;
  }
  let hex = "";
  for (const b of buf) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/**
 * Whether a new trace is recorded, at `ratio` (0…1), decided by the trace id
 * alone so every service taking the same ratio agrees (OpenTelemetry's
 * TraceIdRatioBased reads the id's last 8 bytes; 4 are plenty here).
 */
export function sampledAtRatio(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (!(ratio > 0)) return false;
  return Number.parseInt(traceId.slice(-8), 16) / 0x1_0000_0000 < ratio;
}

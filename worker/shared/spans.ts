/**
 * A small span recorder and its OTLP/JSON encoding, shared by the worker
 * (where the OpenTelemetry SDK does not run) and the gateway. In the worker
 * a tracer lives as long as one request or one session-object call; the
 * gateway keeps one and drains it in batches with `take()`. Spans are made
 * per request, never per token. Pure apart from the clock and WebCrypto ids.
 */
import { formatTraceparent, randomHexId, type SpanContext, sampledAtRatio } from "./trace-context";

export type AttrValue = string | number | boolean;
/** Span attributes; undefined values are left out. Never message content. */
export type Attrs = Record<string, AttrValue | undefined>;

/** OTLP's SpanKind numbers. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;
export type SpanKind = keyof typeof SPAN_KIND;

/** A finished span, as the exporter sees it. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  /** Milliseconds since the epoch. */
  startMs: number;
  endMs: number;
  attributes: Attrs;
  events: { name: string; timeMs: number }[];
  error?: string;
}

export interface Span {
  readonly context: SpanContext;
  /** Whether this span is kept (sampled and a tracer that exports). */
  readonly recording: boolean;
  /** The header that makes the receiver's work a child of this span. */
  traceparent(): string;
  child(name: string, kind?: SpanKind, attrs?: Attrs): Span;
  set(attrs: Attrs): void;
  rename(name: string): void;
  /** A timestamped point in the span (e.g. the first token), now or at `timeMs`. */
  event(name: string, timeMs?: number): void;
  /** Marks the span failed; `reason` is a code, never a message with user text. */
  fail(reason: string): void;
  /** Ends it (later calls do nothing); its tracer can then hand it to an exporter. */
  end(): void;
  /** Hands the tracer's ended spans to its exporter now. */
  flush(): void;
}

export interface TracerOptions {
  /** False: nothing is recorded, but contexts still propagate. */
  recording: boolean;
  /** Ratio of new traces recorded (a parent's `sampled` flag wins). */
  ratio?: number;
  now?: () => number;
  /** Called by flush() with the ended spans not handed over yet. */
  onFlush?: (records: SpanRecord[]) => void;
}

export interface Tracer {
  /** A span continuing `parent` (from a traceparent), or the root of a new trace. */
  start(name: string, opts?: { parent?: SpanContext | null; kind?: SpanKind; attrs?: Attrs }): Span;
  /** The ended spans not taken yet. */
  take(): SpanRecord[];
  flush(): void;
}

export function createTracer(options: TracerOptions): Tracer {
  const now = options.now ?? Date.now;
  let ended: SpanRecord[] = [];

  function flush(): void {
    const records = take();
    if (records.length > 0) options.onFlush?.(records);
  }
  function take(): SpanRecord[] {
    const out = ended;
    ended = [];
    return out;
  }

  function open(name: string, kind: SpanKind, context: SpanContext, parentSpanId: string | undefined, attrs: Attrs): Span {
    const recording = options.recording && context.sampled;
    const record: SpanRecord | null = recording
      ? {
          traceId: context.traceId,
          spanId: context.spanId,
          parentSpanId,
          name,
          kind,
          startMs: now(),
          endMs: 0,
          attributes: { ...attrs },
          events: [],
        }
      : null;
    let done = false;
    const span: Span = {
      context,
      recording,
      traceparent: () => formatTraceparent(context),
      child: (childName, childKind = "internal", childAttrs = {}) =>
        open(childName, childKind, { ...context, spanId: randomHexId(8) }, context.spanId, childAttrs),
      set(more) {
        if (record && !done) Object.assign(record.attributes, more);
      },
      rename(newName) {
        if (record && !done) record.name = newName;
      },
      event(eventName, timeMs) {
        if (record && !done) record.events.push({ name: eventName, timeMs: timeMs ?? now() });
      },
      fail(reason) {
        if (record && !done) record.error = reason;
      },
      end() {
        if (done) return;
        done = true;
        if (!record) return;
        record.endMs = Math.max(record.startMs, now());
        ended.push(record);
      },
      flush,
    };
    return span;
  }

  return {
    start(name, opts = {}) {
      const parent = opts.parent ?? null;
      const traceId = parent?.traceId ?? randomHexId(16);
      const sampled = parent ? parent.sampled : sampledAtRatio(traceId, options.ratio ?? 1);
      return open(name, opts.kind ?? "internal", { traceId, spanId: randomHexId(8), sampled }, parent?.spanId, opts.attrs ?? {});
    },
    take,
    flush,
  };
}

/** Unix nanoseconds as OTLP/JSON writes them: a decimal string. */
export function unixNano(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1_000_000))).toString();
}

type OtlpValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number };

function otlpValue(v: AttrValue): OtlpValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

export function otlpAttributes(attrs: Attrs): { key: string; value: OtlpValue }[] {
  const out: { key: string; value: OtlpValue }[] = [];
  for (const [key, v] of Object.entries(attrs)) if (v !== undefined) out.push({ key, value: otlpValue(v) });
  return out;
}

/**
 * An OTLP ExportTraceServiceRequest in its JSON form (ids as hex, times as
 * nanosecond strings), ready for `POST {endpoint}/v1/traces`.
 */
export function toOtlpJson(resource: Attrs, scope: string, records: SpanRecord[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: otlpAttributes(resource) },
        scopeSpans: [
          {
            scope: { name: scope },
            spans: records.map((r) => ({
              traceId: r.traceId,
              spanId: r.spanId,
              ...(r.parentSpanId ? { parentSpanId: r.parentSpanId } : {}),
              name: r.name,
              kind: SPAN_KIND[r.kind],
              startTimeUnixNano: unixNano(r.startMs),
              endTimeUnixNano: unixNano(r.endMs),
              attributes: otlpAttributes(r.attributes),
              events: r.events.map((e) => ({ name: e.name, timeUnixNano: unixNano(e.timeMs) })),
              // 2 = ERROR, 0 = UNSET
              status: r.error ? { code: 2, message: r.error } : { code: 0 },
            })),
          },
        ],
      },
    ],
  };
}

export type OtlpTraces = ReturnType<typeof toOtlpJson>;

/** Names a server span for the route that answered and records the status; a 5xx marks it failed. */
export function answered(span: Span, method: string, route: string, status: number): void {
  span.rename(`${method} ${route}`);
  span.set({ "http.route": route, "http.response.status_code": status });
  if (status >= 500) span.fail(String(status));
}

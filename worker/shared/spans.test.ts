import { describe, expect, it } from "vitest";
import { createTracer, type SpanRecord, toOtlpJson, unixNano } from "./spans";
import { parseTraceparent } from "./trace-context";

const clock = () => {
  let t = 1_700_000_000_000;
  return () => (t += 5);
};

describe("span recorder", () => {
  it("continues a parent context and links children to their parents", () => {
    const tracer = createTracer({ recording: true, now: clock() });
    const parent = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    const root = tracer.start("request", { parent, kind: "server", attrs: { "http.route": "/x" } });
    const child = root.child("upstream", "client");
    expect(child.context.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(parseTraceparent(child.traceparent())).toEqual(child.context);
    child.set({ "gen_ai.usage.output_tokens": 12 });
    child.end();
    root.end();
    root.end();
    const [c, r] = tracer.take();
    expect(r.parentSpanId).toBe("00f067aa0ba902b7");
    expect(c.parentSpanId).toBe(r.spanId);
    expect(c.attributes["gen_ai.usage.output_tokens"]).toBe(12);
    expect(r.endMs).toBeGreaterThanOrEqual(r.startMs);
    expect(tracer.take()).toEqual([]);
  });

  it("starts a new trace when there is no parent", () => {
    const tracer = createTracer({ recording: true });
    const a = tracer.start("a");
    const b = tracer.start("b");
    expect(a.context.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.context.traceId).not.toBe(b.context.traceId);
    expect(a.context.sampled).toBe(true);
  });

  it("records nothing for an unsampled parent or a tracer that does not export, but still propagates", () => {
    for (const [recording, flags] of [
      [true, "00"],
      [false, "01"],
    ] as const) {
      const flushed: SpanRecord[][] = [];
      const tracer = createTracer({ recording, onFlush: (r) => flushed.push(r) });
      const span = tracer.start("request", { parent: parseTraceparent(`00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-${flags}`) });
      const child = span.child("upstream");
      expect(child.traceparent()).toMatch(new RegExp(`^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-${flags}$`));
      child.end();
      span.end();
      span.flush();
      expect(span.recording).toBe(false);
      expect(flushed).toEqual([]);
    }
  });

  it("hands ended spans to the exporter once each", () => {
    const flushed: string[][] = [];
    const tracer = createTracer({ recording: true, onFlush: (r) => flushed.push(r.map((s) => s.name)) });
    const root = tracer.start("call");
    const child = root.child("reply");
    root.end();
    root.flush();
    child.end();
    child.flush();
    child.flush();
    expect(flushed).toEqual([["call"], ["reply"]]);
  });
});

describe("OTLP/JSON", () => {
  it("writes nanosecond strings without losing precision", () => {
    expect(unixNano(1_700_000_000_123)).toBe("1700000000123000000");
    expect(unixNano(1_700_000_000_123.5)).toBe("1700000000123500000");
  });

  it("encodes resource, ids, kinds, typed attributes, events and an error status", () => {
    const tracer = createTracer({ recording: true, now: clock() });
    const span = tracer.start("chat m", { kind: "client", attrs: { s: "x", i: 3, d: 0.5, b: true, gone: undefined } });
    span.event("first_token");
    span.fail("upstream_timeout");
    span.end();
    const body = toOtlpJson({ "service.name": "svc" }, "scope", tracer.take());
    expect(body.resourceSpans[0].resource.attributes).toEqual([{ key: "service.name", value: { stringValue: "svc" } }]);
    const [s] = body.resourceSpans[0].scopeSpans[0].spans;
    expect(s.kind).toBe(3);
    expect(s.traceId).toBe(span.context.traceId);
    expect(s.parentSpanId).toBeUndefined();
    expect(s.attributes).toEqual([
      { key: "s", value: { stringValue: "x" } },
      { key: "i", value: { intValue: "3" } },
      { key: "d", value: { doubleValue: 0.5 } },
      { key: "b", value: { boolValue: true } },
    ]);
    expect(s.events.map((e) => e.name)).toEqual(["first_token"]);
    expect(s.status).toEqual({ code: 2, message: "upstream_timeout" });
    expect(BigInt(s.endTimeUnixNano)).toBeGreaterThan(BigInt(s.startTimeUnixNano));
  });
});

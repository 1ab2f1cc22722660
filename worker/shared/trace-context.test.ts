import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent, randomHexId, sampledAtRatio } from "./trace-context";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("traceparent", () => {
  it("reads the W3C example and writes it back", () => {
    const header = `00-${TRACE}-${SPAN}-01`;
    const ctx = parseTraceparent(header);
    expect(ctx).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(formatTraceparent(ctx!)).toBe(header);
  });

  it("reads the sampled flag from bit 0 only", () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.sampled).toBe(true);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-02`)?.sampled).toBe(false);
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, sampled: false })).toBe(`00-${TRACE}-${SPAN}-00`);
  });

  it("tolerates surrounding whitespace and reads a future version by its first fields", () => {
    expect(parseTraceparent(`  00-${TRACE}-${SPAN}-01 `)?.traceId).toBe(TRACE);
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-what-the-future-holds`)?.spanId).toBe(SPAN);
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01`)?.spanId).toBe(SPAN);
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["garbage", "hello"],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["version 00 with extra fields", `00-${TRACE}-${SPAN}-01-extra`],
    ["a future version glued to more text", `01-${TRACE}-${SPAN}-01x`],
    ["uppercase hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ["non-hex trace id", `00-${"g".repeat(32)}-${SPAN}-01`],
    ["all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["short span id", `00-${TRACE}-${SPAN.slice(1)}-01`],
    ["bad flags", `00-${TRACE}-${SPAN}-zz`],
    ["wrong separators", `00_${TRACE}_${SPAN}_01`],
    ["version not hex", `0x-${TRACE}-${SPAN}-01`],
  ])("ignores an invalid header (%s)", (_why, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });
});

describe("ids and sampling", () => {
  it("makes lowercase hex ids of the right length that differ", () => {
    const a = randomHexId(16);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(randomHexId(8)).toMatch(/^[0-9a-f]{16}$/);
    expect(randomHexId(16)).not.toBe(a);
  });

  it("samples by the trace id, so every service at the same ratio agrees", () => {
    const low = `${"a".repeat(24)}00000001`;
    const high = `${"a".repeat(24)}ffffffff`;
    expect(sampledAtRatio(low, 0.5)).toBe(true);
    expect(sampledAtRatio(high, 0.5)).toBe(false);
    expect(sampledAtRatio(high, 1)).toBe(true);
    expect(sampledAtRatio(low, 0)).toBe(false);
    const ids = Array.from({ length: 2000 }, () => randomHexId(16));
    const share = ids.filter((id) => sampledAtRatio(id, 0.25)).length / ids.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.32);
  });
});

import { describe, expect, it } from "vitest";
import { pairedDiff, percentile, ratio, summarize, verdict } from "./stats";

describe("percentile", () => {
  it("takes the nearest rank of the sorted values", () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 20)).toBe(1);
    expect(percentile(values, 21)).toBe(2);
    expect(percentile(values, 100)).toBe(5);
  });

  it("gives the 99th of 100 and the 297th of 300", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 99)).toBe(99);
    const three = Array.from({ length: 300 }, (_, i) => 300 - i);
    expect(percentile(three, 99)).toBe(297);
  });

  it("leaves its input unsorted", () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it("is NaN for no values and refuses percentiles out of range", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe("summarize", () => {
  it("reports the spread of the samples", () => {
    expect(summarize([2, 4, 6, 8])).toEqual({ n: 4, min: 2, p50: 4, p90: 8, p99: 8, max: 8, mean: 5 });
  });
});

describe("pairedDiff, ratio, verdict", () => {
  it("subtracts pairs and refuses unpaired samples", () => {
    expect(pairedDiff([3, 5], [1, 1])).toEqual([2, 4]);
    expect(() => pairedDiff([1], [1, 2])).toThrow(RangeError);
  });

  it("divides only by positive baselines", () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(1, -1)).toBeNaN();
  });

  it("passes at the limit and never on NaN", () => {
    expect(verdict(1.5, 1.5)).toBe("PASS");
    expect(verdict(1.51, 1.5)).toBe("MISS");
    expect(verdict(Number.NaN, 1.5)).toBe("MISS");
  });
});

import { describe, expect, it } from "vitest";
import { cpuPerFrameUs, gapsOf, pathFigures } from "./stream-stats";

describe("gapsOf", () => {
  it("gives the time between consecutive arrivals", () => {
    expect(gapsOf([100, 120, 141, 200])).toEqual([20, 21, 59]);
    expect(gapsOf([5])).toEqual([]);
  });
});

describe("pathFigures", () => {
  it("counts stalls over twice the pacing, failures and frames across streams", () => {
    const figures = pathFigures(
      [
        { firstMs: 3, arrivals: [0, 20, 40, 100], ok: true },
        { firstMs: 5, arrivals: [10, 31, 72], ok: true },
        { firstMs: null, arrivals: [], ok: false },
      ],
      20,
    );
    expect(figures.streams).toBe(3);
    expect(figures.failures).toBe(1);
    expect(figures.frames).toBe(7);
    // Gaps 20, 20, 60, 21, 41: two are over 40 ms.
    expect(figures.stalls).toBe(2);
    expect(figures.gaps.max).toBe(60);
    expect(figures.gaps.p50).toBe(21);
    expect(figures.firstToken.n).toBe(2);
    expect(figures.firstToken.p50).toBe(3);
  });

  it("does not count a gap of exactly twice the pacing as a stall", () => {
    expect(pathFigures([{ firstMs: 1, arrivals: [0, 40], ok: true }], 20).stalls).toBe(0);
  });
});

describe("cpuPerFrameUs", () => {
  it("turns CPU milliseconds over frames into microseconds per frame", () => {
    expect(cpuPerFrameUs(45, 1000)).toBe(45);
  });

  it("is NaN without a CPU figure or frames", () => {
    expect(cpuPerFrameUs(null, 1000)).toBeNaN();
    expect(cpuPerFrameUs(10, 0)).toBeNaN();
  });
});

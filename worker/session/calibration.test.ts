import { describe, expect, it } from "vitest";
import { nextCalibration } from "./calibration";

describe("nextCalibration", () => {
  it("moves toward the upstream's count when it counts more tokens than we do", () => {
    expect(nextCalibration(1, 150, 100)).toBeCloseTo(0.7 + 0.3 * 1.5);
  });

  it("never goes below 1 (the budget only ever shrinks) nor above 3", () => {
    expect(nextCalibration(1, 50, 100)).toBe(1);
    expect(nextCalibration(3, 1000, 100)).toBe(3);
  });

  it("ignores replies without usage figures", () => {
    expect(nextCalibration(1.4, 0, 100)).toBe(1.4);
    expect(nextCalibration(1.4, 120, 0)).toBe(1.4);
  });
});

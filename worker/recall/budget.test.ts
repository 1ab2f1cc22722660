import { describe, expect, it } from "vitest";
import { recallBudget } from "./budget";

const shares = { recall: 0.15, recallMax: 0.6, recentMin: 0.2 };
const room = { budget: 1000, left: 900, unused: 0, outside: 0, flow: true };

describe("recall's budget", () => {
  it("is the base share when little of the past is out of the window", () => {
    expect(recallBudget(shares, { ...room, outside: 0 })).toBe(150);
  });
  it("grows towards its ceiling as more of the past falls out", () => {
    expect(recallBudget(shares, { ...room, outside: 500 })).toBe(375);
    expect(recallBudget(shares, { ...room, outside: 5000 })).toBe(600);
    expect(recallBudget(shares, { ...room, outside: Number.POSITIVE_INFINITY })).toBe(600);
  });
  it("takes what memories and summary left unused, but leaves the recent turns their floor", () => {
    expect(recallBudget(shares, { ...room, outside: 5000, unused: 50 })).toBe(650);
    expect(recallBudget(shares, { ...room, outside: 5000, unused: 300 })).toBe(700);
    expect(recallBudget(shares, { ...room, left: 300, outside: 5000 })).toBe(100);
  });
  it("keeps the base share only when flow is off", () => {
    expect(recallBudget(shares, { ...room, outside: 5000, unused: 300, flow: false })).toBe(150);
  });
});

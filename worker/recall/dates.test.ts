import { describe, expect, it } from "vitest";
import { dateMarker, datePrefix, dayOf } from "./dates";

describe("dates of recalled turns", () => {
  it("reads a bracketed marker that holds a digit at the start of a message", () => {
    expect(dateMarker("[1:56 pm on 8 May, 2023] Hi there")).toBe("1:56 pm on 8 May, 2023");
    expect(dateMarker("  [Day 3, evening] we camp")).toBe("Day 3, evening");
    expect(dateMarker("[smiles] hello")).toBeNull();
    expect(dateMarker("hello [8 May 2023]")).toBeNull();
  });
  it("puts the date in front unless the turn opens with it", () => {
    expect(datePrefix("I went yesterday", "8 May 2023")).toBe("[8 May 2023] ");
    expect(datePrefix("[8 May 2023] I went", "8 May 2023")).toBe("");
    expect(datePrefix("I went", null)).toBe("");
  });
  it("falls back to the day a turn was stored", () => {
    expect(dayOf(Date.UTC(2024, 1, 29, 23, 0))).toBe("2024-02-29");
  });
});

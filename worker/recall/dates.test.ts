import { describe, expect, it } from "vitest";
import { dateMarker, datePrefix, dayOf, nearDates, otherSession } from "./dates";

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
  it("dates a turn's neighbours as the index does: a marker opens a new date on either side", () => {
    const day = Date.UTC(2024, 4, 8, 12);
    const n = (content: string, at = day) => ({ content, at });
    // Walking back from a turn in the session opened by "[8 May]": the opener is of its date, what precedes it is not.
    expect(nearDates("so we went", "8 May", -1, [n("nice"), n("[8 May] hi"), n("bye")])).toEqual(["8 May", "8 May", null]);
    // A turn that opens a session itself: everything before it is earlier.
    expect(nearDates("[9 May] back again", "9 May", -1, [n("bye")])).toEqual([null]);
    // Walking on, a new marker sets the date from there.
    expect(nearDates("so we went", "8 May", 1, [n("nice"), n("[9 May] hi"), n("more")])).toEqual(["8 May", "9 May", "9 May"]);
    // Without markers, each neighbour's own day.
    expect(nearDates("hi", null, -1, [n("a", day - 86_400_000), n("b", day)])).toEqual(["2024-05-07", "2024-05-08"]);
    expect(nearDates("hi", null, 1, [n("a", day), n("b", day + 86_400_000)])).toEqual(["2024-05-08", "2024-05-09"]);
  });
  it("tells sessions apart by the conversation's own markers, never by the day a turn was stored", () => {
    expect(otherSession("8 May, 2023", "9 May, 2023")).toBe(true);
    expect(otherSession(null, "9 May, 2023")).toBe(true);
    expect(otherSession("8 May, 2023", "8 May, 2023")).toBe(false);
    expect(otherSession("2024-05-07", "2024-05-08")).toBe(false);
    expect(otherSession("2024-05-08", "Day 3, evening")).toBe(true);
  });
});

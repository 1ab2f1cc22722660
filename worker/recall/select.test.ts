import { describe, expect, it } from "vitest";
import { fitGroups, itemOf, recallText } from "./select";
import type { RecalledTurn } from "./types";

const turn = (id: string, group: string, tokens: number, date: string | null = "8 May 2023", score = 1): RecalledTurn => ({
  id,
  role: "user",
  content: `line ${id}`,
  tokens,
  date,
  group,
  matched: [],
  score,
  via: "match",
  hop: 1,
});
const count = (text: string) => Math.ceil(text.length / 4);

describe("fitting recalled exchanges into the budget", () => {
  it("keeps whole exchanges in rank order, passes over one that does not fit, and lists them in conversation order", () => {
    const items = [turn("b", "b", 10), turn("c", "b", 10), turn("a", "a", 50), turn("d", "d", 5)].map((t) => itemOf(t, "Sam", count));
    const kept = fitGroups(items, 45, count, { dates: true });
    expect(kept.map((k) => k.id)).toEqual(["b", "c", "d"]);
  });
  it("never keeps half an exchange", () => {
    const items = [turn("a", "a", 10), turn("b", "a", 30)].map((t) => itemOf(t, "Sam", count));
    expect(fitGroups(items, 30, count, { dates: false })).toEqual([]);
  });
  it("charges a date line once per date, so turns of one day fit that a line each would not", () => {
    const items = ["a", "b", "c"].map((id) => itemOf(turn(id, id, 4), "Sam", count));
    const line = count("[8 May 2023]") + 1;
    const each = items[0].tokens + 2;
    expect(fitGroups(items, line + 3 * each, count, { dates: true }).map((k) => k.id)).toEqual(["a", "b", "c"]);
    expect(fitGroups(items, line + 3 * each, count, { dates: true, dateOnce: false }).map((k) => k.id)).toEqual(["a", "b"]);
  });
  it("never writes more than its budget when a date comes back later in the conversation", () => {
    const items = [turn("a", "a", 4), turn("c", "c", 4), turn("b", "b", 4, "Day 2")].map((t) => itemOf(t, "Sam", count));
    const budget = count("[8 May 2023]") + 1 + count("[Day 2]") + 1 + 3 * (items[0].tokens + 2);
    const kept = fitGroups(items, budget, count, { dates: true });
    expect(recallText("", kept, true, count).tokens).toBeLessThanOrEqual(budget);
    expect(kept.map((k) => k.id)).toEqual(["a", "c"]);
  });
  it("by score per token, takes two short turns before a long one that ranks a little higher", () => {
    const items = [turn("a", "a", 40, null, 1.2), turn("b", "b", 10, null, 1), turn("c", "c", 10, null, 1)].map((t) =>
      itemOf(t, "Sam", count),
    );
    const budget = items[0].tokens + 2 + 4;
    expect(fitGroups(items, budget, count, { dates: false }).map((k) => k.id)).toEqual(["a"]);
    expect(fitGroups(items, budget, count, { dates: false, perToken: 0.5 }).map((k) => k.id)).toEqual(["b", "c"]);
    // A small exponent leaves rank order alone when the costs are close.
    const close = [turn("a", "a", 12, null, 2), turn("b", "b", 10, null, 1)].map((t) => itemOf(t, "Sam", count));
    expect(fitGroups(close, close[0].tokens + 2, count, { dates: false, perToken: 0.25 }).map((k) => k.id)).toEqual(["a"]);
  });
  it("counts a date line in a turn's cost only while its date has none", () => {
    const items = [turn("a", "a", 10, "Day 1", 1.1), turn("b", "b", 10, "Day 2", 1.05), turn("c", "c", 10, "Day 1", 1)].map((t) =>
      itemOf(t, "Sam", count),
    );
    const room = 2 * (count("[Day 1]") + 1) + 2 * (items[0].tokens + 2);
    expect(fitGroups(items, room, count, { dates: true }).map((k) => k.id)).toEqual(["a", "b"]);
    expect(fitGroups(items, room, count, { dates: true, perToken: 1 }).map((k) => k.id)).toEqual(["a", "c"]);
  });
  it("writes one date line per date and counts what it wrote", () => {
    const items = [turn("a", "a", 3), turn("b", "a", 3), turn("c", "c", 3, "9 May 2023")].map((t) => itemOf(t, "Sam", count));
    const { text, tokens } = recallText("## Earlier", items, true, count);
    expect(text).toBe("## Earlier\n[8 May 2023]\n- Sam: line a\n- Sam: line b\n[9 May 2023]\n- Sam: line c");
    const expected = count("## Earlier") + 2 * (count("[8 May 2023]") + 1) + items.reduce((n, i) => n + i.tokens + 2, 0);
    expect(tokens).toBe(expected);
  });
});

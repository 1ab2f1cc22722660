import { describe, expect, it } from "vitest";
import type { IndexedTurn } from "./index-types";
import { rankNear } from "./near";

const turn = (i: number, content: string): IndexedTurn => ({
  key: i,
  id: `m${String(i).padStart(4, "0")}`,
  role: i % 2 === 0 ? "user" : "assistant",
  content,
  stems: [],
  tokens: 5,
  date: null,
});
/** A hit at `at` in `lines`, with its neighbours up to `reach` away. */
function hitAt(lines: string[], at: number, reach: number): IndexedTurn {
  const near = [];
  for (let d = -reach; d <= reach; d++)
    if (d !== 0 && lines[at + d] !== undefined) near.push({ offset: d, turn: turn(at + d, lines[at + d]) });
  return { ...turn(at, lines[at]), near };
}
const scores = (own: Record<string, number>) => (t: IndexedTurn) => ({ score: own[t.id] ?? 0, matched: [] });
const o = { reach: 2, weight: 0.5, decay: 0.75, answer: 0.3 };

describe("turns near a hit", () => {
  const lines = ["one", "two", "we went to the lake", "three", "four", "five"];

  it("share in its score: half one turn away, three quarters of that two away, none further", () => {
    const got = rankNear([hitAt(lines, 2, 2)], scores({ m0002: 8 }), "m9999", o);
    expect(got.map((r) => [r.turn.id, r.score])).toEqual([
      ["m0002", 8],
      ["m0003", 4],
      ["m0001", 4],
      ["m0004", 3],
      ["m0000", 3],
    ]);
    expect(got.slice(1).every((r) => r.own === 0)).toBe(true);
  });

  it("lift the answer to a hit that asks something above the turn before it", () => {
    const asked = ["one", "did you go to the lake?", "yes, last June", "nice"];
    const got = rankNear([hitAt(asked, 1, 1)], scores({ m0001: 10 }), "m9999", o);
    expect(got.map((r) => [r.turn.id, r.score])).toEqual([
      ["m0001", 10],
      ["m0002", 8],
      ["m0000", 5],
    ]);
  });

  it("add to a turn's own score, the best neighbouring hit only", () => {
    const got = rankNear([hitAt(lines, 2, 1), hitAt(lines, 4, 1)], scores({ m0002: 8, m0003: 1, m0004: 6 }), "m9999", o);
    expect(got.find((r) => r.turn.id === "m0003")).toMatchObject({ own: 1, score: 5 });
  });

  it("weigh more when said by the speaker the question is about, matched or near a match", () => {
    const mine = (t: IndexedTurn) => (t.role === "assistant" ? 3 : 1);
    const got = rankNear([hitAt(lines, 2, 1)], scores({ m0002: 8 }), "m9999", o, mine);
    expect(got.map((r) => [r.turn.id, r.score])).toEqual([
      ["m0003", 12],
      ["m0001", 12],
      ["m0002", 8],
    ]);
  });

  it("stay out when the window holds them, and every turn stands alone at reach 0", () => {
    const held = rankNear([hitAt(lines, 2, 2)], scores({ m0002: 8 }), "m0003", o);
    expect(held.map((r) => r.turn.id)).toEqual(["m0002", "m0001", "m0000"]);
    expect(rankNear([hitAt(lines, 2, 2)], scores({ m0002: 8 }), "m9999", { ...o, reach: 0 }).map((r) => r.turn.id)).toEqual(["m0002"]);
  });

  it("leave out a turn under another date marker (another session), but not one stored on another day", () => {
    const hit = hitAt(lines, 2, 2);
    const dated = (t: IndexedTurn, date: string | null): IndexedTurn => ({ ...t, date });
    const ranked = (before: string, at: string) => {
      const near = hit.near?.map((n) => ({ ...n, turn: dated(n.turn, n.offset < -1 ? before : at) }));
      return rankNear([{ ...dated(hit, at), near }], scores({ m0002: 8 }), "m9999", o).map((r) => r.turn.id);
    };
    expect(ranked("7 May, 2023", "8 May, 2023")).toEqual(["m0002", "m0003", "m0001", "m0004"]);
    expect(ranked("2024-05-07", "2024-05-08")).toEqual(["m0002", "m0003", "m0001", "m0004", "m0000"]);
  });
});

import { describe, expect, it } from "vitest";
import { best, bm25, coarse, generating, idf } from "./rank";

const stats = {
  docs: 100,
  avgLength: 5,
  df: new Map([
    ["rare", 2],
    ["mid", 20],
    ["common", 90],
  ]),
};
const t = (stem: string, weight = 1) => ({ stem, word: stem, weight });

describe("BM25 in two stages", () => {
  it("weighs a rare word far above a common one", () => {
    expect(idf(2, 100)).toBeGreaterThan(5 * idf(90, 100));
  });
  it("lets only the rarest words bring candidates, within the postings budget (the rarest always)", () => {
    expect(generating([t("common"), t("rare"), t("mid"), t("absent")], stats, 25).map((x) => x.stem)).toEqual(["rare", "mid"]);
    expect(generating([t("common"), t("mid")], stats, 5).map((x) => x.stem)).toEqual(["mid"]);
  });
  it("ranks candidates by the weighted IDF of the words they use", () => {
    const postings = new Map([
      ["rare", [1]],
      ["mid", [1, 2, 3]],
    ]);
    const scores = coarse(postings, [t("rare"), t("mid", 0.5)], stats);
    expect(best(scores, 2)).toEqual([1, 3]);
    expect(scores.get(1)).toBeCloseTo(idf(2, 100) + 0.5 * idf(20, 100));
  });
  it("scores a short turn above a long one with the same match, and says which words matched", () => {
    const short = bm25(["rare", "x"], [t("rare"), t("mid")], stats);
    const long = bm25(["rare", "x", "y", "z", "w", "v", "u", "s"], [t("rare"), t("mid")], stats);
    expect(short.score).toBeGreaterThan(long.score);
    expect(short.matched.map((m) => m.stem)).toEqual(["rare"]);
    expect(bm25(["x"], [t("rare")], stats).score).toBe(0);
  });
  it("counts a word's query weight alone when BM25 is off", () => {
    expect(bm25(["rare", "mid"], [t("rare"), t("mid", 0.5)], stats, false).score).toBe(1.5);
  });
});

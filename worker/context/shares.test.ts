import { describe, expect, it } from "vitest";
import { DEFAULT_SHARES, listSection, parseShares, textSection } from "./shares";
import { countTokens } from "./tokens";

const item = (id: string, text: string) => ({ id, text, tokens: countTokens(text) });

describe("parseShares", () => {
  it("reads the configured shares and ignores nonsense", () => {
    expect(parseShares("memories=0.2, recall=0.05")).toEqual({ ...DEFAULT_SHARES, memories: 0.2, recall: 0.05 });
    expect(parseShares("memories=2,summary=x,bogus=0.1")).toEqual(DEFAULT_SHARES);
    expect(parseShares(undefined)).toEqual(DEFAULT_SHARES);
  });
  it("reads recall's ceiling and the recent turns' floor, up to 0.9", () => {
    expect(parseShares("recall_max=0.7,recent_min=0.1")).toEqual({ ...DEFAULT_SHARES, recallMax: 0.7, recentMin: 0.1 });
    expect(parseShares("recall_max=0.95,recallMax=0.3,recent_min=")).toEqual(DEFAULT_SHARES);
  });
});

describe("listSection", () => {
  it("takes items in order while they fit its share, and reports the rest", () => {
    const items = [item("a", "my sister is called Zelda"), item("b", "allergic to peanuts"), item("c", "x ".repeat(200))];
    const s = listSection("memories", "## Remember", items, 40);
    expect(s.items?.map((i) => i.id)).toEqual(["a", "b"]);
    expect(s.excluded?.map((i) => i.id)).toEqual(["c"]);
    expect(s.tokens).toBeLessThanOrEqual(40);
    expect(countTokens(s.text)).toBeLessThanOrEqual(s.tokens);
    expect(s.text).toBe("## Remember\n- my sister is called Zelda\n- allergic to peanuts");
  });
  it("is empty when nothing fits", () => {
    expect(listSection("memories", "## Remember", [item("a", "word ".repeat(50))], 10).text).toBe("");
  });
});

describe("textSection", () => {
  it("cuts a long summary to its share", () => {
    const body = item("summary:v3", "The voyage went on. ".repeat(100));
    const s = textSection("summary", "## Summary", body, 50);
    expect(s.tokens).toBeLessThanOrEqual(50);
    expect(s.text.startsWith("## Summary\nThe voyage went on.")).toBe(true);
    expect(s.items).toEqual([{ id: "summary:v3", tokens: s.tokens }]);
  });
});

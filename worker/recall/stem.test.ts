import { describe, expect, it } from "vitest";
import { stem } from "./stem";

describe("the Porter stemmer", () => {
  it("gives inflections of one word one stem", () => {
    for (const group of [
      ["paint", "painted", "painting", "paints"],
      ["research", "researching", "researched"],
      ["adopt", "adopted", "adopting"],
      ["connect", "connected", "connection", "connections"],
    ])
      expect(new Set(group.map(stem)).size, group.join(" ")).toBe(1);
  });
  it("follows the published examples", () => {
    const cases: [string, string][] = [
      ["caresses", "caress"],
      ["ponies", "poni"],
      ["cats", "cat"],
      ["agreed", "agre"],
      ["hopping", "hop"],
      ["filing", "file"],
      ["happy", "happi"],
      ["relational", "relat"],
      ["hopeful", "hope"],
      ["goodness", "good"],
      ["revival", "reviv"],
      ["adjustable", "adjust"],
      ["controll", "control"],
      ["generalizations", "gener"],
    ];
    for (const [word, stemmed] of cases) expect(stem(word), word).toBe(stemmed);
  });
  it("leaves short words and anything not a-z alone", () => {
    expect(stem("is")).toBe("is");
    expect(stem("2023")).toBe("2023");
    expect(stem("café")).toBe("café");
  });
});

import { describe, expect, it } from "vitest";
import { recallTerms } from "./terms";

describe("recall terms", () => {
  it("keeps the distinctive words, longest first", () => {
    expect(recallTerms("What was the word zebraquartz about?")).toEqual(["zebraquartz"]);
    expect(recallTerms("Tell me about Lisbon trams and pastries")).toEqual(["pastries", "lisbon", "trams"]);
  });
  it("drops punctuation and anything that could break to_tsquery", () => {
    expect(recallTerms("it's a 'quote' & (paren) | pipe!")).toEqual(["quote", "paren", "pipe"]);
    expect(recallTerms("a, b; c?")).toEqual([]);
  });
});

describe("recallTerms", () => {
  it("leaves out words the prompt's recent turns already use", () => {
    expect(recallTerms("back to the lighthouse and zebraquartz", (w) => w === "lighthouse")).toEqual(["zebraquartz"]);
  });
});

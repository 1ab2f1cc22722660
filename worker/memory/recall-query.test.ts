import { describe, expect, it } from "vitest";
import { recallTerms, recallTsQuery } from "./recall-query";

describe("recallTsQuery", () => {
  it("ORs the distinctive words, longest first", () => {
    expect(recallTsQuery("What was the word zebraquartz about?")).toBe("zebraquartz");
    expect(recallTerms("Tell me about Lisbon trams and pastries")).toEqual(["pastries", "lisbon", "trams"]);
  });
  it("drops punctuation and anything that could break to_tsquery", () => {
    expect(recallTsQuery("it's a 'quote' & (paren) | pipe!")).toBe("quote | paren | pipe");
    expect(recallTsQuery("a, b; c?")).toBeNull();
  });
});

describe("recallTerms", () => {
  it("leaves out words the prompt's recent turns already use", () => {
    expect(recallTerms("back to the lighthouse and zebraquartz", (w) => w === "lighthouse")).toEqual(["zebraquartz"]);
  });
});

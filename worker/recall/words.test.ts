import { describe, expect, it } from "vitest";
import { indexText, stemsOf, termsOf } from "./words";

describe("recall's words", () => {
  it("drops stop words and asking words, folds accents and case, keeps repeats", () => {
    expect(stemsOf("What did you tell me about the Café? The café was painted")).toEqual(["cafe", "cafe", "paint"]);
  });
  it("keeps the first spelling of each stem to show a user", () => {
    expect([...termsOf("Painting, painted and PAINTS").entries()]).toEqual([["paint", "painting"]]);
  });
  it("indexes a message as its stems, safe for an FTS5 query", () => {
    expect(indexText(`it's a "quote" & (paren) | pipe!`)).toBe("quot paren pipe");
  });
});

import { describe, expect, it } from "vitest";
import { buildQuery, hopTerms } from "./query";

const said = (content: string) => ({ id: "x", role: "user" as const, content });

describe("the recall query", () => {
  it("takes the message's words at full weight and earlier turns' at less", () => {
    const q = buildQuery({
      message: said("Where did we hide the lantern?"),
      context: [said("The lighthouse keeper"), said("Old harbour")],
    });
    expect(q.find((t) => t.word === "lantern")?.weight).toBe(1);
    expect(q.find((t) => t.word === "lighthouse")?.weight).toBeCloseTo(0.3);
    expect(q.find((t) => t.word === "harbour")?.weight).toBeCloseTo(0.15);
  });
  it("weighs down what the recent turns already dwell on", () => {
    const q = buildQuery({ message: said("the lantern and the ferry"), context: [], topical: (s) => s === "ferri" });
    expect(q.find((t) => t.word === "ferry")?.weight).toBe(0.5);
  });
  it("has nothing to search for in a message of stop words", () => {
    expect(buildQuery({ message: said("what was that?"), context: [] })).toEqual([]);
  });
  it("finds names for a second hop, not words capitalised by a sentence start", () => {
    const words = hopTerms(["Yes. My sister Zelda lives in Lisbon now.", "Lisbon is lovely"], new Set(["lisbon"]), 0.5);
    expect(words.map((w) => w.word)).toEqual(["zelda"]);
  });
});

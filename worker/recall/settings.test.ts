import { describe, expect, it } from "vitest";
import { LEXICAL_DEFAULTS } from "./lexical";
import { parseRecallTuning, RECALL_DEFAULTS } from "./settings";

describe("RECALL_TUNING", () => {
  it("has every lever on by default", () => {
    expect(parseRecallTuning(undefined)).toEqual(RECALL_DEFAULTS);
    expect(RECALL_DEFAULTS.lexical).toEqual(LEXICAL_DEFAULTS);
  });
  it("turns levers off one by one and ignores what it does not know", () => {
    const s = parseRecallTuning("near=0, hop=0,context=0,flow=0,dates=0,dedupe=0,datecost=0,bm25=0,bogus=1,floor=x");
    expect(s).toMatchObject({ flow: false, dates: false, dedupe: false, dateOnce: false });
    expect(s.lexical).toMatchObject({ hopWeight: 0, contextTurns: 0, bm25: false, floor: LEXICAL_DEFAULTS.floor });
    expect(s.lexical.near).toEqual({ ...LEXICAL_DEFAULTS.near, reach: 0 });
    expect(LEXICAL_DEFAULTS.near.reach).toBeGreaterThan(0);
  });
  it("takes the section's turns by score per token unless told to keep rank order", () => {
    expect(RECALL_DEFAULTS.perToken).toBeGreaterThan(0);
    expect(parseRecallTuning("pertoken=0").perToken).toBe(0);
    expect(parseRecallTuning("pertoken=0.5").perToken).toBe(0.5);
  });
  it("sets how far and how much turns near a hit share in its score", () => {
    expect(parseRecallTuning("near=1,nearweight=0.4,neardecay=0.5,answer=0").lexical.near).toEqual({
      reach: 1,
      weight: 0.4,
      decay: 0.5,
      answer: 0,
    });
    expect(parseRecallTuning("exchange=0").lexical.near.reach).toBe(0);
  });
});

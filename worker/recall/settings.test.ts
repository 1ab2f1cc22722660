import { describe, expect, it } from "vitest";
import { LEXICAL_DEFAULTS } from "./lexical";
import { parseRecallTuning, RECALL_DEFAULTS } from "./settings";

describe("RECALL_TUNING", () => {
  it("has every lever on by default", () => {
    expect(parseRecallTuning(undefined)).toEqual(RECALL_DEFAULTS);
    expect(RECALL_DEFAULTS.lexical).toEqual(LEXICAL_DEFAULTS);
  });
  it("turns levers off one by one and ignores what it does not know", () => {
    const s = parseRecallTuning("exchange=0, hop=0,context=0,flow=0,dates=0,dedupe=0,bm25=0,bogus=1,floor=x");
    expect(s).toMatchObject({ flow: false, dates: false, dedupe: false });
    expect(s.lexical).toMatchObject({ exchange: false, hopWeight: 0, contextTurns: 0, bm25: false, floor: LEXICAL_DEFAULTS.floor });
  });
});

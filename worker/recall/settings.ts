/**
 * Recall's switches, from RECALL_TUNING ("near=0,hop=0,context=0,…"):
 * every lever of retrieval can be turned off on its own, so the memory
 * benchmark can show what each one buys. Unknown keys are ignored. Pure.
 */
import { LEXICAL_DEFAULTS, type LexicalOptions } from "./lexical";

export interface RecallSettings {
  lexical: LexicalOptions;
  /** Unused memory and summary shares go to recall, and its share grows as the past falls out of the window. */
  flow: boolean;
  /** Each recalled turn carries its date. */
  dates: boolean;
  /** Recalled turns the recent window also holds are dropped from the recall section. */
  dedupe: boolean;
  /** The section's budget pays for a date line once per date (off: once per recalled turn, an upper bound). */
  dateOnce: boolean;
  /** The section takes turns by score ÷ tokens^perToken (0: in rank order): a short line that ranks nearly as well leaves room for another. */
  perToken: number;
}

export const RECALL_DEFAULTS: RecallSettings = {
  lexical: LEXICAL_DEFAULTS,
  flow: true,
  dates: true,
  dedupe: true,
  dateOnce: true,
  perToken: 0.25,
};

export function parseRecallTuning(value: string | undefined): RecallSettings {
  const s: RecallSettings = { ...RECALL_DEFAULTS, lexical: { ...LEXICAL_DEFAULTS, near: { ...LEXICAL_DEFAULTS.near } } };
  for (const part of (value ?? "").split(",")) {
    const [k, v] = part.split("=").map((x) => x.trim());
    const n = Number(v);
    if (v === undefined || v === "" || !Number.isFinite(n) || n < 0) continue;
    const on = n > 0;
    if (k === "flow") s.flow = on;
    else if (k === "dates") s.dates = on;
    else if (k === "dedupe") s.dedupe = on;
    else if (k === "bm25") s.lexical.bm25 = on;
    else if (k === "datecost") s.dateOnce = on;
    else if (k === "pertoken") s.perToken = Math.min(n, 2);
    else if (k === "near" || k === "exchange") s.lexical.near.reach = Math.min(Math.floor(n), 4);
    else if (k === "nearweight") s.lexical.near.weight = Math.min(n, 1);
    else if (k === "neardecay") s.lexical.near.decay = Math.min(n, 1);
    else if (k === "answer") s.lexical.near.answer = Math.min(n, 1);
    else if (k === "hop") s.lexical.hopWeight = on ? (n === 1 ? LEXICAL_DEFAULTS.hopWeight : Math.min(n, 1)) : 0;
    else if (k === "context") s.lexical.contextTurns = Math.floor(n);
    else if (k === "topical") s.lexical.topicalWeight = Math.min(n, 1);
    else if (k === "speaker") s.lexical.speakerBoost = n;
    else if (k === "floor") s.lexical.floor = Math.min(n, 1);
    else if (k === "candidates" && n >= 1) s.lexical.candidates = Math.floor(n);
    else if (k === "postings" && n >= 1) s.lexical.postingBudget = Math.floor(n);
  }
  return s;
}

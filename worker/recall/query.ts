/**
 * The query for one turn: the new message's content words at full weight,
 * the few turns before it at a lower weight (a follow-up like "and what did
 * she say then?" is about the turn before it), and words the prompt's
 * recent turns already dwell on counting for less (they are what the
 * conversation is about right now, not what fell out of it). Pure.
 */
import type { WeightedTerm } from "./rank";
import type { RecallRequest } from "./types";
import { rawWords, termsOf } from "./words";

export interface QueryOptions {
  /** How many earlier turns the query draws on (0: the new message only). */
  contextTurns: number;
  /** The weight of the turn just before the message; earlier ones get half, a third, … of it. */
  contextWeight: number;
  /** The factor for a word the recent turns already use. */
  topicalWeight: number;
  /** At most this many words, the heaviest. */
  maxTerms: number;
}

export const QUERY_DEFAULTS: QueryOptions = { contextTurns: 2, contextWeight: 0.3, topicalWeight: 0.5, maxTerms: 16 };

export function buildQuery(req: Pick<RecallRequest, "message" | "context" | "topical">, o: QueryOptions = QUERY_DEFAULTS): WeightedTerm[] {
  const terms = new Map<string, WeightedTerm>();
  const add = (text: string, weight: number) => {
    for (const [stem, word] of termsOf(text)) {
      const w = req.topical?.(stem) ? weight * o.topicalWeight : weight;
      const had = terms.get(stem);
      if (!had) terms.set(stem, { stem, word, weight: w });
      else if (had.weight < w) had.weight = w;
    }
  };
  add(req.message.content, 1);
  const context = req.context.slice(0, o.contextTurns);
  for (let i = 0; i < context.length; i++) add(context[i].content, o.contextWeight / (i + 1));
  return [...terms.values()].sort((a, b) => b.weight - a.weight).slice(0, o.maxTerms);
}

/**
 * Words for a second hop: names and other capitalised words of the first
 * hits that the query did not have (a question about "her sister's town"
 * finds the sister's name first, then what was said about it). A word
 * capitalised only because it starts a sentence is left out.
 */
export function hopTerms(contents: readonly string[], known: ReadonlySet<string>, weight: number): WeightedTerm[] {
  const out = new Map<string, WeightedTerm>();
  for (const text of contents) {
    for (const m of text.matchAll(/(?<![.!?\n]\s*|^\s*)\b(\p{Lu}[\p{L}\p{N}'’]+)/gu)) {
      for (const [stem, word] of termsOf(m[1])) {
        if (!known.has(stem) && !out.has(stem) && rawWords(m[1])[0] === word) out.set(stem, { stem, word, weight });
      }
    }
  }
  return [...out.values()];
}

/**
 * BM25 (k1 = 1.2, b = 0.75, IDF ln(1 + (N − df + 0.5) / (df + 0.5))) with a
 * weight per query word, in two stages so a long history costs little: the
 * rarest words bring candidates (their postings together stay within a
 * budget; a word used all through the history brings none, it only scores),
 * the candidates are scored by IDF alone, and the best of them by full
 * BM25 over their stems. Pure.
 */
import type { Key, Term, TermStats } from "./index-types";

export const K1 = 1.2;
export const B = 0.75;

export interface WeightedTerm extends Term {
  weight: number;
}

export const idf = (df: number, docs: number): number => Math.log(1 + (docs - df + 0.5) / (df + 0.5));

/** The words that bring candidates: rarest first, while their postings fit `budget` (the rarest one always does). */
export function generating(terms: readonly WeightedTerm[], stats: TermStats, budget: number): WeightedTerm[] {
  const used = terms.filter((t) => (stats.df.get(t.stem) ?? 0) > 0).sort((a, b) => stats.df.get(a.stem)! - stats.df.get(b.stem)!);
  const out: WeightedTerm[] = [];
  let total = 0;
  for (const t of used) {
    const df = stats.df.get(t.stem)!;
    if (out.length > 0 && total + df > budget) break;
    out.push(t);
    total += df;
  }
  return out;
}

/** Stage one: each candidate's sum of weight × IDF over the words it uses. */
export function coarse(postings: Map<string, Key[]>, terms: readonly WeightedTerm[], stats: TermStats, weighted = true): Map<Key, number> {
  const scores = new Map<Key, number>();
  for (const t of terms) {
    const keys = postings.get(t.stem);
    if (!keys) continue;
    const w = t.weight * (weighted ? idf(stats.df.get(t.stem) ?? keys.length, stats.docs) : 1);
    for (const k of keys) scores.set(k, (scores.get(k) ?? 0) + w);
  }
  return scores;
}

/** The `n` best keys of a score map, best first (ties: the newer, larger key first). */
export function best(scores: Map<Key, number>, n: number): Key[] {
  return [...scores.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1))
    .slice(0, n)
    .map(([k]) => k);
}

/** Stage two: BM25 of one turn's stems for the weighted words, and which words it matched. */
export function bm25(
  stems: readonly string[],
  terms: readonly WeightedTerm[],
  stats: TermStats,
  weighted = true,
): { score: number; matched: Term[] } {
  const norm = K1 * (1 - B + (B * stems.length) / (stats.avgLength || 1));
  let score = 0;
  const matched: Term[] = [];
  for (const t of terms) {
    // A turn has a few dozen stems and a query a few words: counting in place beats building a map per turn.
    let f = 0;
    for (const s of stems) if (s === t.stem) f++;
    if (f === 0) continue;
    score += weighted ? (t.weight * idf(stats.df.get(t.stem) ?? 1, stats.docs) * f * (K1 + 1)) / (f + norm) : t.weight;
    matched.push({ stem: t.stem, word: t.word });
  }
  return { score, matched };
}

/**
 * A small Okapi BM25 for the plain-RAG baseline: the textbook formula with
 * k1 = 1.2 and b = 0.75, documents and queries tokenised the simplest way
 * (lowercase, runs of Unicode letters and digits; no stemming, no stop
 * words: IDF already gives common words little weight). The IDF is the
 * non-negative variant ln(1 + (N − df + 0.5) / (df + 0.5)). Pure.
 */

export const K1 = 1.2;
export const B = 0.75;

/** Lowercased runs of letters and digits. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export interface Bm25 {
  /** The score of every document for `query`, in document order. */
  scores(query: string): number[];
}

export function createBm25(docs: readonly string[]): Bm25 {
  const lengths: number[] = [];
  /** term → [document index, term frequency] pairs. */
  const postings = new Map<string, [number, number][]>();
  docs.forEach((doc, i) => {
    const tokens = tokenize(doc);
    lengths.push(tokens.length);
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, f] of tf) {
      const list = postings.get(t);
      if (list) list.push([i, f]);
      else postings.set(t, [[i, f]]);
    }
  });
  const n = docs.length;
  const avgLength = n > 0 ? lengths.reduce((s, l) => s + l, 0) / n : 0;
  return {
    scores(query: string): number[] {
      const out = new Array<number>(n).fill(0);
      for (const term of new Set(tokenize(query))) {
        const list = postings.get(term);
        if (!list) continue;
        const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
        for (const [i, f] of list) out[i] += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * lengths[i]) / (avgLength || 1)));
      }
      return out;
    },
  };
}

/**
 * The lexical retriever: BM25 over stems (`rank.ts`) on any `TermIndex`,
 * each hit bringing the other half of its exchange (the user's line and the
 * reply to it), a second hop from the first hits' names, and every turn
 * with its date. Pure apart from the index it reads.
 */
import type { IndexedTurn, Key, TermIndex, TermStats } from "./index-types";
import { buildQuery, hopTerms, QUERY_DEFAULTS, type QueryOptions } from "./query";
import { best, bm25, coarse, generating, type WeightedTerm } from "./rank";
import type { RecalledTurn, RecallRequest, Retriever } from "./types";

export interface LexicalOptions extends QueryOptions {
  /** Postings the candidate words may bring together (the rarest word always brings its own, up to this many). */
  postingBudget: number;
  /** Candidates scored by full BM25. */
  candidates: number;
  /** Whether a hit brings the other half of its exchange. */
  exchange: boolean;
  /** Whether the first hits' names are searched too, and at what weight (0: no second hop). */
  hopWeight: number;
  /** How many first hits the second hop reads. */
  hopFrom: number;
  /** BM25's weighting (off: every matched word counts its query weight, no IDF, no length normalisation). */
  bm25: boolean;
}

export const LEXICAL_DEFAULTS: LexicalOptions = {
  ...QUERY_DEFAULTS,
  postingBudget: 3000,
  candidates: 96,
  exchange: true,
  hopWeight: 0.5,
  hopFrom: 3,
  bm25: true,
};

interface Hit {
  turn: IndexedTurn;
  score: number;
  matched: string[];
  hop: 1 | 2;
}

export function lexicalRetriever(index: TermIndex, o: LexicalOptions = LEXICAL_DEFAULTS): Retriever {
  async function search(terms: WeightedTerm[], stats: TermStats, before: string, hop: 1 | 2, skip: Set<string>): Promise<Hit[]> {
    const gen = generating(terms, stats, o.postingBudget);
    if (gen.length === 0) return [];
    const postings = await index.postings(gen, before, o.postingBudget);
    const keys: Key[] = best(coarse(postings, gen, stats, o.bm25), o.candidates);
    const turns = await index.turns(keys);
    const hits: Hit[] = [];
    for (const turn of turns) {
      if (turn.id >= before || skip.has(turn.id)) continue;
      const { score, matched } = bm25(turn.stems, terms, stats, o.bm25);
      if (score > 0) hits.push({ turn, score, matched: matched.map((m) => m.word), hop });
    }
    return hits.sort((a, b) => b.score - a.score || (a.turn.id < b.turn.id ? 1 : -1));
  }

  return {
    async recall(req: RecallRequest): Promise<RecalledTurn[]> {
      const terms = buildQuery(req, o);
      if (terms.length === 0 || req.limit <= 0) return [];
      const stats = await index.stats(terms);
      let hits = await search(terms, stats, req.before, 1, new Set());
      if (o.hopWeight > 0 && hits.length > 0) {
        const known = new Set(terms.map((t) => t.stem));
        const more = hopTerms(
          hits.slice(0, o.hopFrom).map((h) => h.turn.content),
          known,
          o.hopWeight,
        );
        if (more.length > 0) {
          const hopStats = await index.stats(more);
          const second = await search(more, hopStats, req.before, 2, new Set(hits.map((h) => h.turn.id)));
          hits = [...hits, ...second].sort((a, b) => b.score - a.score);
        }
      }
      return toTurns(hits, req, o.exchange);
    },
  };
}

/** Hits in rank order as turns, each followed by its partner (once, never one the window holds). */
function toTurns(hits: Hit[], req: RecallRequest, exchange: boolean): RecalledTurn[] {
  const out: RecalledTurn[] = [];
  const seen = new Set<string>();
  for (const h of hits) {
    if (seen.has(h.turn.id)) continue;
    if (out.length >= req.limit) break;
    const group = h.turn.id;
    const reason = { score: h.score, hop: h.hop } as const;
    const parts: RecalledTurn[] = [{ ...fields(h.turn), ...reason, matched: h.matched, via: "match", group }];
    const p = h.turn.partner;
    if (exchange && p && p.id < req.before && !seen.has(p.id) && p.content)
      parts.push({ ...fields(p), ...reason, matched: [], via: "exchange", group });
    for (const t of parts) seen.add(t.id);
    out.push(...parts);
  }
  return out;
}

const fields = (t: IndexedTurn) => ({ id: t.id, role: t.role, content: t.content, tokens: t.tokens, date: t.date });

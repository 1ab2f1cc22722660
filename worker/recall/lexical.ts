/**
 * The lexical retriever: BM25 over stems (`rank.ts`) on any `TermIndex`,
 * the turns said next to a hit sharing in its score (`near.ts`: the other
 * half of its exchange, the answer to a question it asks), a second hop
 * from the first hits' names, and every turn with its date. Each turn is
 * ranked on its own, so the prompt's budget goes to the turns that rank
 * best. Pure apart from the index it reads.
 */

import type { Role } from "../shared/wire";
import type { IndexedTurn, Key, TermIndex, TermStats } from "./index-types";
import { type NearOptions, type Ranked, rankNear } from "./near";
import { buildQuery, hopTerms, QUERY_DEFAULTS, type QueryOptions } from "./query";
import { best, bm25, coarse, generating, type WeightedTerm } from "./rank";
import type { RecalledTurn, RecallRequest, Retriever } from "./types";
import { rawWords } from "./words";

export interface LexicalOptions extends QueryOptions {
  /** Postings the candidate words may bring together (the rarest word always brings its own, up to this many). */
  postingBudget: number;
  /** Candidates scored by full BM25. */
  candidates: number;
  /** Turns near a hit that share in its score (`near.ts`; reach 0: a turn is ranked alone). */
  near: NearOptions;
  /** Whether the first hits' names are searched too, and at what weight (0: no second hop). */
  hopWeight: number;
  /** How many first hits the second hop reads. */
  hopFrom: number;
  /** BM25's weighting (off: every matched word counts its query weight, no IDF, no length normalisation). */
  bm25: boolean;
  /** How much more a turn counts when the query names its speaker (and not the other one): 1 is double, matched or near a match. */
  speakerBoost: number;
  /** Hits scoring below this share of the best one are not recalled (they match only words used everywhere). */
  floor: number;
}

export const LEXICAL_DEFAULTS: LexicalOptions = {
  ...QUERY_DEFAULTS,
  postingBudget: 2000,
  candidates: 32,
  near: { reach: 3, weight: 0.5, decay: 0.75, answer: 0.3 },
  hopWeight: 0.5,
  hopFrom: 3,
  bm25: true,
  speakerBoost: 1,
  floor: 0.15,
};

interface Hit extends Ranked {
  hop: 1 | 2;
}

export function lexicalRetriever(index: TermIndex, o: LexicalOptions = LEXICAL_DEFAULTS): Retriever {
  async function search(
    terms: WeightedTerm[],
    stats: TermStats,
    before: string,
    hop: 1 | 2,
    skip: ReadonlySet<string>,
    about: Role | null,
  ): Promise<Hit[]> {
    const score = (t: IndexedTurn) => bm25(t.stems, terms, stats, o.bm25);
    // A question about one speaker is about that speaker's lines, whether they matched or were said next to a match.
    const weigh = (t: IndexedTurn) => (t.role === about ? 1 + o.speakerBoost : 1);
    const gen = generating(terms, stats, o.postingBudget);
    if (gen.length === 0) return [];
    // With one word bringing candidates they all score alike and the newest are kept: reading more than that changes nothing.
    const postings = await index.postings(
      gen,
      before,
      gen.length === 1 ? Math.min(o.candidates, o.postingBudget) : o.postingBudget,
      stats.df,
    );
    const keys: Key[] = best(coarse(postings, gen, stats, o.bm25), o.candidates);
    const turns = await index.turns(keys, o.near.reach);
    return rankNear(turns, score, before, o.near, weigh)
      .filter((r) => !skip.has(r.turn.id))
      .map((r) => ({ ...r, hop }));
  }

  return {
    async recall(req: RecallRequest): Promise<RecalledTurn[]> {
      const terms = buildQuery(req, o);
      if (terms.length === 0 || req.limit <= 0) return [];
      const stats = await index.stats(terms);
      const about = speakerNamed(req);
      let hits = await search(terms, stats, req.before, 1, new Set(), about);
      if (o.hopWeight > 0 && hits.length > 0) {
        const known = new Set(terms.map((t) => t.stem));
        const first = hits.filter((h) => h.own > 0).slice(0, o.hopFrom);
        const more = hopTerms(
          first.map((h) => h.turn.content),
          known,
          o.hopWeight,
        );
        if (more.length > 0) {
          const hopStats = await index.stats(more);
          const second = await search(more, hopStats, req.before, 2, new Set(hits.map((h) => h.turn.id)), about);
          hits = [...hits, ...second].sort((a, b) => b.score - a.score);
        }
      }
      const top = hits[0]?.score ?? 0;
      return hits
        .filter((h) => h.score >= top * o.floor)
        .slice(0, req.limit)
        .map(toTurn);
    },
  };
}

/** A ranked turn as recall returns it: its own group (the prompt takes turns one by one). */
function toTurn(h: Hit): RecalledTurn {
  const t = h.turn;
  return {
    id: t.id,
    role: t.role,
    content: t.content,
    tokens: t.tokens,
    date: t.date,
    group: t.id,
    score: h.score,
    hop: h.hop,
    matched: [...new Set(h.matched.map((m) => m.word))],
    via: h.own > 0 ? "match" : "near",
  };
}

/** Whose turns the message asks about: the speaker it names, when it names only one. */
function speakerNamed(req: RecallRequest): Role | null {
  if (!req.names) return null;
  const words = new Set(rawWords(req.message.content));
  const names = (name: string) => rawWords(name).some((w) => words.has(w));
  const [user, character] = [names(req.names.user), names(req.names.character)];
  return user === character ? null : user ? "user" : "assistant";
}

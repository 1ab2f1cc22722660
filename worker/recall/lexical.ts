/**
 * The lexical retriever: BM25 over stems (`rank.ts`) on any `TermIndex`,
 * each hit bringing the other half of its exchange (the user's line and the
 * reply to it), a second hop from the first hits' names, and every turn
 * with its date. Pure apart from the index it reads.
 */

import type { Role } from "../shared/wire";
import type { IndexedTurn, Key, TermIndex, TermStats } from "./index-types";
import { buildQuery, hopTerms, QUERY_DEFAULTS, type QueryOptions } from "./query";
import { best, bm25, coarse, generating, type WeightedTerm } from "./rank";
import type { RecalledTurn, RecallRequest, Retriever } from "./types";
import { rawWords } from "./words";

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
  /** How much the weaker half of an exchange adds to its score (0: a turn is ranked alone). */
  pairWeight: number;
  /** How much more a turn counts when the query names its speaker (and not the other one). */
  speakerBoost: number;
  /** Hits scoring below this share of the best one are not recalled (they match only words used everywhere). */
  floor: number;
}

export const LEXICAL_DEFAULTS: LexicalOptions = {
  ...QUERY_DEFAULTS,
  postingBudget: 2000,
  candidates: 48,
  exchange: true,
  hopWeight: 0.5,
  hopFrom: 3,
  bm25: true,
  pairWeight: 0.5,
  speakerBoost: 0.3,
  floor: 0.15,
};

interface Hit {
  turn: IndexedTurn;
  /** The other half of its exchange, when there is one older than the window. */
  partner?: IndexedTurn;
  score: number;
  matched: string[];
  hop: 1 | 2;
}

export function lexicalRetriever(index: TermIndex, o: LexicalOptions = LEXICAL_DEFAULTS): Retriever {
  async function search(
    terms: WeightedTerm[],
    stats: TermStats,
    before: string,
    hop: 1 | 2,
    skip: Set<string>,
    about: Role | null,
  ): Promise<Hit[]> {
    const rank = (t: IndexedTurn) => {
      const r = bm25(t.stems, terms, stats, o.bm25);
      return t.role === about ? { ...r, score: r.score * (1 + o.speakerBoost) } : r;
    };
    const gen = generating(terms, stats, o.postingBudget);
    if (gen.length === 0) return [];
    const postings = await index.postings(gen, before, o.postingBudget);
    const keys: Key[] = best(coarse(postings, gen, stats, o.bm25), o.candidates);
    const turns = await index.turns(keys);
    // An exchange is ranked as one: its better half, plus part of the other's score.
    const hits = new Map<string, Hit>();
    for (const turn of turns) {
      if (turn.id >= before || skip.has(turn.id)) continue;
      const own = rank(turn);
      const p = turn.partner && turn.partner.id < before ? turn.partner : undefined;
      const other = p ? rank(p) : { score: 0, matched: [] };
      const [lead, rest] = own.score >= other.score ? [turn, p] : [p!, turn];
      const key = rest && rest.id < lead.id ? rest.id : lead.id;
      if (own.score <= 0 || hits.has(key)) continue;
      const score = Math.max(own.score, other.score) + o.pairWeight * Math.min(own.score, other.score);
      const matched = [...new Set([...own.matched, ...other.matched].map((m) => m.word))];
      hits.set(key, { turn: lead, partner: rest, score, matched, hop });
    }
    return [...hits.values()].sort((a, b) => b.score - a.score || (a.turn.id < b.turn.id ? 1 : -1));
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
        const more = hopTerms(
          hits.slice(0, o.hopFrom).map((h) => h.turn.content),
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
      return toTurns(
        hits.filter((h) => h.score >= top * o.floor),
        req,
        o.exchange,
      );
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
    const p = h.partner;
    if (exchange && p && !seen.has(p.id) && p.content) parts.push({ ...fields(p), ...reason, matched: [], via: "exchange", group });
    for (const t of parts) seen.add(t.id);
    out.push(...parts);
  }
  return out;
}

/** Whose turns the message asks about: the speaker it names, when it names only one. */
function speakerNamed(req: RecallRequest): Role | null {
  if (!req.names) return null;
  const words = new Set(rawWords(req.message.content));
  const names = (name: string) => rawWords(name).some((w) => words.has(w));
  const [user, character] = [names(req.names.user), names(req.names.character)];
  return user === character ? null : user ? "user" : "assistant";
}

const fields = (t: IndexedTurn) => ({ id: t.id, role: t.role, content: t.content, tokens: t.tokens, date: t.date });

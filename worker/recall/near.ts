/**
 * Turns said next to a hit share in its score. A conversation stays on a
 * topic for a few turns, and the line a question is about is often not the
 * one that shares its words: the answer after "what inspired you?", the
 * reply that says "three times a week", the remark two turns on. So each
 * turn is ranked on its own, by its BM25 score plus a share of the best hit
 * beside it: `weight` of a hit one turn away, `decay` times that two away, …, and a
 * turn that answers a hit asking something (the turn right after a line
 * with a "?") gets `answer` more. Only turns of the hit's own session
 * count: when the conversation writes date markers, a turn under another
 * marker is not this exchange. Budget then goes turn by turn to what ranks
 * best, not to whole exchanges whose other half says nothing. Pure.
 */
import { otherSession } from "./dates";
import type { IndexedTurn, Term } from "./index-types";

export interface NearOptions {
  /** How many turns before and after a hit share in its score (0: none, every turn stands alone). */
  reach: number;
  /** The share of a hit's score a turn next to it gets. */
  weight: number;
  /** What that share is multiplied by for each turn further away. */
  decay: number;
  /** What a turn answering a hit that asks something gets on top of `weight`. */
  answer: number;
}

export interface Ranked {
  turn: IndexedTurn;
  /** Its own BM25 score (0: it came only for being next to a hit). */
  own: number;
  /** What it ranks by: its own score plus the share of the best hit next to it, times what `weigh` makes of the turn. */
  score: number;
  matched: Term[];
}

/** Whether a turn asks something (the turn after it is likely the answer). */
export const asks = (content: string): boolean => content.includes("?");

/**
 * The hits and the turns near them, ranked, best first (ties: the newer
 * first). Turns at or after `before` (the window holds them) are left out.
 * `weigh` scales a turn's total (the speaker a question is about).
 */
export function rankNear(
  hits: readonly IndexedTurn[],
  score: (t: IndexedTurn) => { score: number; matched: Term[] },
  before: string,
  o: NearOptions,
  weigh: (t: IndexedTurn) => number = () => 1,
): Ranked[] {
  const all = new Map<string, Ranked & { lift: number }>();
  const entry = (t: IndexedTurn) => {
    let e = all.get(t.id);
    if (!e) {
      const r = score(t);
      e = { turn: t, own: r.score, score: 0, matched: r.matched, lift: 0 };
      all.set(t.id, e);
    }
    return e;
  };
  for (const t of hits) {
    if (t.id >= before) continue;
    const hit = entry(t);
    if (hit.own <= 0 || o.reach <= 0) continue;
    for (const n of t.near ?? []) {
      const d = Math.abs(n.offset);
      // A turn of another session (another date marker) is not part of the hit's exchange.
      if (d === 0 || d > o.reach || n.turn.id >= before || !n.turn.content || otherSession(n.turn.date, t.date)) continue;
      const share = o.weight * o.decay ** (d - 1) + (n.offset === 1 && asks(t.content) ? o.answer : 0);
      const e = entry(n.turn);
      e.lift = Math.max(e.lift, share * hit.own);
    }
  }
  const out: Ranked[] = [];
  for (const e of all.values()) {
    const s = (e.own + e.lift) * weigh(e.turn);
    if (s > 0) out.push({ turn: e.turn, own: e.own, score: s, matched: e.matched });
  }
  return out.sort((a, b) => b.score - a.score || (a.turn.id < b.turn.id ? 1 : -1));
}

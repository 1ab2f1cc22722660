/**
 * The order the budget takes ranked turns in, so that a question about two
 * things gets lines about both. Ranked by score alone, the turns about the
 * question's most telling word (and the turns said next to them) fill the
 * section before any turn about its other words; a question whose answer
 * is spread over several days gets the one day that matched best. So the
 * turns are taken greedily: each word's share of a turn's score counts
 * `coverage` times less for every turn already taken that is about that
 * word, and a turn counts `session` times less for every turn already
 * taken from its day. Scores stay as they were (the ledger shows them);
 * only the order changes. Pure; O(n × taken) over the few hundred ranked
 * turns of one recall.
 */

export interface DiversityOptions {
  /** Factor on a word's share of a turn's score per turn already taken about that word (1: off). */
  coverage: number;
  /** Factor on a turn's score per turn already taken from the same day (1: off). */
  session: number;
}

export const DIVERSITY_OFF: DiversityOptions = { coverage: 1, session: 1 };

export interface Diversifiable {
  score: number;
  /** Its score per query stem (what it is about). */
  about: ReadonlyMap<string, number>;
  turn: { date: string | null };
}

/** The first `n` of `items` in the order the budget should take them (`items` best first). */
export function diversify<T extends Diversifiable>(items: readonly T[], n: number, o: DiversityOptions): T[] {
  if ((o.coverage === 1 && o.session === 1) || items.length <= 1) return items.slice(0, n);
  const covered = new Map<string, number>();
  const days = new Map<string, number>();
  const left = [...items];
  const out: T[] = [];
  const worth = (it: T) => {
    let s = 0;
    let parts = 0;
    for (const [stem, part] of it.about) {
      s += part * o.coverage ** (covered.get(stem) ?? 0);
      parts += part;
    }
    s += Math.max(0, it.score - parts);
    return it.turn.date === null ? s : s * o.session ** (days.get(it.turn.date) ?? 0);
  };
  while (out.length < n && left.length > 0) {
    let at = 0;
    let top = -1;
    for (let i = 0; i < left.length; i++) {
      const w = worth(left[i]);
      if (w > top) {
        top = w;
        at = i;
      }
    }
    const [it] = left.splice(at, 1);
    out.push(it);
    for (const stem of it.about.keys()) covered.set(stem, (covered.get(stem) ?? 0) + 1);
    if (it.turn.date !== null) days.set(it.turn.date, (days.get(it.turn.date) ?? 0) + 1);
  }
  return out;
}

/**
 * A `TermIndex` over turns held in memory: the same stems, postings and
 * statistics as the session object's FTS5 index, for the retriever's tests
 * and for trying retrieval settings offline on a whole conversation. Pure.
 */
import type { Role } from "../shared/wire";
import { dateMarker, dayOf } from "./dates";
import type { IndexedTurn, Key, Near, TermIndex, TermStats } from "./index-types";
import { stemsOf } from "./words";

export interface MemoryTurn {
  id: string;
  role: Role;
  content: string;
  tokens: number;
  createdAt: number;
}

export function memoryIndex(turns: readonly MemoryTurn[]): TermIndex {
  const stems = turns.map((t) => stemsOf(t.content));
  const postings = new Map<string, number[]>();
  stems.forEach((s, i) => {
    for (const stem of new Set(s)) {
      const list = postings.get(stem);
      if (list) list.push(i);
      else postings.set(stem, [i]);
    }
  });
  const avgLength = stems.reduce((n, s) => n + s.length, 0) / (stems.length || 1);
  const dates: (string | null)[] = [];
  let marker: string | null = null;
  for (const t of turns) {
    marker = dateMarker(t.content) ?? marker;
    dates.push(marker ?? dayOf(t.createdAt));
  }
  const turnAt = (i: number, reach: number): IndexedTurn => {
    const t = turns[i];
    const near: Near[] = [];
    for (let d = -reach; d <= reach; d++)
      if (d !== 0 && i + d >= 0 && i + d < turns.length) near.push({ offset: d, turn: turnAt(i + d, 0) });
    const turn: IndexedTurn = { key: i, id: t.id, role: t.role, content: t.content, stems: stems[i], tokens: t.tokens, date: dates[i] };
    return reach > 0 ? { ...turn, near } : turn;
  };
  return {
    async stats(terms): Promise<TermStats> {
      const df = new Map<string, number>();
      for (const t of terms) {
        const n = postings.get(t.stem)?.length ?? 0;
        if (n > 0) df.set(t.stem, n);
      }
      return { docs: turns.length, avgLength, df };
    },
    async postings(terms, before, limit): Promise<Map<string, Key[]>> {
      const out = new Map<string, Key[]>();
      for (const t of terms) {
        const list = (postings.get(t.stem) ?? []).filter((i) => turns[i].id < before);
        out.set(t.stem, list.slice(-limit).reverse());
      }
      return out;
    },
    async turns(keys, reach): Promise<IndexedTurn[]> {
      return keys.filter((k): k is number => typeof k === "number" && k >= 0 && k < turns.length).map((k) => turnAt(k, reach));
    },
  };
}

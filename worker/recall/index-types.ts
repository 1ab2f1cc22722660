/**
 * What the lexical retriever needs from a store of this conversation's
 * turns: term statistics, postings, and turns by key with the turns said
 * just before and after them and their date. The session object's FTS5 index implements it
 * (`worker/session/recall-index.ts`), PostgreSQL does while that index
 * fills (`recallIndexPg` in `worker/db/messages.ts`), and `memory-index.ts`
 * in memory for tests. Types only.
 */
import type { Role } from "../shared/wire";

/** A turn's key in its store: a row id there (FTS5 rowid, or the message id in PostgreSQL). */
export type Key = number | string;

export interface TermStats {
  /** Turns in the conversation. */
  docs: number;
  /** Their average length, in stems. */
  avgLength: number;
  /** Turns using each stem (absent: none). */
  df: Map<string, number>;
}

/** A word of the query: its stem (what is searched) and the word as written (what a user is shown). */
export interface Term {
  stem: string;
  word: string;
}

export interface IndexedTurn {
  key: Key;
  id: string;
  role: Role;
  content: string;
  /** Its stems, as `indexText` made them. */
  stems: string[];
  tokens: number;
  /** The date marker in force when it was said, if the conversation writes them; else the day it was stored. */
  date: string | null;
  /** The turns said just before (offset −1, −2, …) and after (+1, +2, …) it, within the reach asked for. */
  near?: Near[];
}

export interface Near {
  /** Where it was said relative to the turn: −1 the turn before, +1 the one after. */
  offset: number;
  turn: IndexedTurn;
}

export interface TermIndex {
  stats(terms: Term[]): Promise<TermStats>;
  /**
   * For each term, keys of the turns using it, newest first, at most
   * `limit`. Turns newer than `before` may be left out. `df` is what `stats`
   * answered: a store may read a term it knows to fit `limit` whole.
   */
  postings(terms: Term[], before: string, limit: number, df?: ReadonlyMap<string, number>): Promise<Map<string, Key[]>>;
  /** These turns (unknown keys are left out), each with its date and the turns up to `reach` places before and after it. */
  turns(keys: Key[], reach: number): Promise<IndexedTurn[]>;
}

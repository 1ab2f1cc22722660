/**
 * What the lexical retriever needs from a store of this conversation's
 * turns: term statistics, postings, and turns by key with their exchange
 * partner and date. The session object's FTS5 index implements it
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
  /** The other half of its exchange (the reply to a user line, the line a reply answers), when there is one. */
  partner?: IndexedTurn;
}

export interface TermIndex {
  stats(terms: Term[]): Promise<TermStats>;
  /** For each term, keys of the turns using it, newest first, at most `limit`. Turns newer than `before` may be left out. */
  postings(terms: Term[], before: string, limit: number): Promise<Map<string, Key[]>>;
  /** These turns (unknown keys are left out), each with its partner and date. */
  turns(keys: Key[]): Promise<IndexedTurn[]>;
}

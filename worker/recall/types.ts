/**
 * The seam of long memory: prompt assembly asks a `Retriever` for older
 * turns of this conversation that matter to the new message, and gets them
 * ranked, each with why it came back. Today's retriever is lexical (BM25
 * over stems, `lexical.ts`); an embedding one (the gateway's /v1/embeddings,
 * pgvector) can be fused beside it without assembly changing. Types only.
 */
import type { Role } from "../shared/wire";

/** A message as recall reads it: the new one and the recent turns before it. */
export interface Said {
  id: string;
  role: Role;
  content: string;
}

export interface RecallRequest {
  /** The new user message. */
  message: Said;
  /** The turns just before it, newest first (the query also draws on these, at a lower weight). */
  context: Said[];
  /** Only turns older than this id: newer ones are in the prompt's recent window. */
  before: string;
  /** Whether a stem is already a topic of the prompt's recent turns (it then counts for less). */
  topical?: (stem: string) => boolean;
  /** How many turns to return at most (the caller's budget decides how many it keeps). */
  limit: number;
  /** The two speakers' names: a query naming one of them (and not the other) is about what that one said. */
  names?: { user: string; character: string };
}

/** Why a turn came back: what the ledger records and the client shows. */
export interface RecallReason {
  /** The query's words this turn matched (as the user wrote them). */
  matched: string[];
  /** Its score: BM25 (weighted by where each word came from) plus a share of the best hit next to it. */
  score: number;
  /** "match": it matched; "near": it was said next to a turn that matched (the other half of its exchange, its answer, …). */
  via: "match" | "near";
  /** 1: matched the new message's words; 2: matched words of the first hits (a second hop). */
  hop: 1 | 2;
}

export interface RecalledTurn extends RecallReason {
  id: string;
  role: Role;
  content: string;
  tokens: number;
  /** When it was said: the conversation's own date marker in force then, or the day it was written. */
  date: string | null;
  /** Turns of one group are kept whole or not at all (today every turn is its own group). */
  group: string;
}

export interface Retriever {
  /** Older turns of this conversation for `req`, best first, grouped by exchange. */
  recall(req: RecallRequest): Promise<RecalledTurn[]>;
}

/**
 * The session object's own full-text index of its active history (SQLite
 * FTS5), so recall on a hot session needs no network round trip.
 * PostgreSQL's tsvector index stays the system of record: it answers recall
 * while this index is being filled from it after a restart.
 */
import type { Row } from "./schema";
import type { StoredMessage } from "./types";

const CANDIDATES = 64;
const MONTH_MS = 30 * 24 * 3600 * 1000;

export function createRecallIndex(sql: SqlStorage) {
  return {
    add(m: StoredMessage): void {
      if (m.active && m.content)
        sql.exec(
          "INSERT INTO recall_fts (content, mid, chat, role, tokens, at) VALUES (?, ?, ?, ?, ?, ?)",
          ...[m.content, m.id, m.chat, m.role, m.tokens, m.createdAt],
        );
    },
    remove(id: string): void {
      sql.exec("DELETE FROM recall_fts WHERE mid = ?", id);
    },
    removeFrom(chat: string, fromId: string, inclusive: boolean): void {
      sql.exec(`DELETE FROM recall_fts WHERE chat = ? AND mid ${inclusive ? ">=" : ">"} ?`, chat, fromId);
    },
    removeChat(chat: string): void {
      sql.exec("DELETE FROM recall_fts WHERE chat = ?", chat);
    },
    /** The best matches older than `beforeId`: BM25 over the newest candidates, weighted by recency. */
    search(chat: string, terms: string[], beforeId: string, limit: number, now = Date.now()): StoredMessage[] {
      const match = terms.map((t) => `"${t}"`).join(" OR ");
      const rows = sql
        .exec<Row>(
          "SELECT mid, role, content, tokens, at, bm25(recall_fts) AS rank FROM recall_fts " +
            "WHERE recall_fts MATCH ? AND chat = ? AND mid < ? ORDER BY mid DESC LIMIT ?",
          ...[match, chat, beforeId, CANDIDATES],
        )
        .toArray();
      // bm25() is lower for better matches; recency halves a score after about a month.
      const scored = rows.map((r) => ({ r, score: -Number(r.rank) / (1 + (now - Number(r.at)) / MONTH_MS) }));
      scored.sort((a, b) => b.score - a.score);
      return scored.slice(0, limit).map(({ r }) => ({
        id: String(r.mid),
        chat,
        role: r.role as StoredMessage["role"],
        content: String(r.content),
        status: "complete",
        tokens: Number(r.tokens),
        clientId: null,
        parentId: null,
        active: true,
        createdAt: Number(r.at),
      }));
    },
  };
}

export type RecallIndex = ReturnType<typeof createRecallIndex>;

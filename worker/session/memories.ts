/**
 * Long memory in the session object's SQLite: pinned memories (copied to
 * PostgreSQL through the outbox) and the versioned running summary (kept
 * here; the raw history it folds stays in PostgreSQL).
 */
import type { Memory } from "../shared/wire";
import type { Outbox } from "./outbox";
import { type Row, rowsOf } from "./schema";
import type { StoredMemory } from "./types";

export interface Summary {
  version: number;
  content: string;
  tokens: number;
  uptoId: string;
  createdAt: number;
}

const toMemory = (r: Row): StoredMemory => ({
  id: String(r.id),
  chat: r.chat === null ? null : String(r.chat),
  content: String(r.content),
  tokens: Number(r.tokens),
  sourceMessageId: r.source_message_id === null ? null : String(r.source_message_id),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function memoryToWire(m: StoredMemory): Memory {
  return {
    id: m.id,
    scope: m.chat === null ? "character" : "chat",
    content: m.content,
    sourceMessageId: m.sourceMessageId,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
}

export function createMemories(storage: DurableObjectStorage, outbox: Outbox) {
  const sql = storage.sql;
  const rows = rowsOf(sql);

  return {
    /** The conversation's memories and the ones pinned to the character, oldest first. */
    memories(chat: string): StoredMemory[] {
      return rows("SELECT * FROM memories WHERE chat = ? OR chat IS NULL ORDER BY id", chat).map(toMemory);
    },
    memory(id: string): StoredMemory | null {
      const r = rows("SELECT * FROM memories WHERE id = ?", id)[0];
      return r ? toMemory(r) : null;
    },
    saveMemory(m: StoredMemory): void {
      storage.transactionSync(() => {
        sql.exec(
          "INSERT INTO memories (id, chat, content, tokens, source_message_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) " +
            "ON CONFLICT (id) DO UPDATE SET chat = excluded.chat, content = excluded.content, tokens = excluded.tokens, updated_at = excluded.updated_at",
          ...[m.id, m.chat, m.content, m.tokens, m.sourceMessageId, m.createdAt, m.updatedAt],
        );
        const { tokens: _, ...memory } = m;
        outbox.enqueue({ op: "memory", memory });
      });
    },
    deleteMemories(ids: string[]): void {
      storage.transactionSync(() => {
        for (const id of ids) {
          sql.exec("DELETE FROM memories WHERE id = ?", id);
          outbox.enqueue({ op: "forget", id });
        }
      });
    },
    summary(chat: string): Summary | null {
      const r = rows("SELECT * FROM summaries WHERE chat = ? ORDER BY version DESC LIMIT 1", chat)[0];
      if (!r) return null;
      return {
        version: Number(r.version),
        content: String(r.content),
        tokens: Number(r.tokens),
        uptoId: String(r.upto_id),
        createdAt: Number(r.created_at),
      };
    },
    addSummary(chat: string, s: Omit<Summary, "version">): number {
      const version = (this.summary(chat)?.version ?? 0) + 1;
      sql.exec(
        "INSERT INTO summaries (chat, version, content, tokens, upto_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        ...[chat, version, s.content, s.tokens, s.uptoId, s.createdAt],
      );
      return version;
    },
    /** Rewind: drops the summary versions that folded turns after `messageId`. */
    rollbackSummaries(chat: string, messageId: string, inclusive: boolean): void {
      sql.exec(`DELETE FROM summaries WHERE chat = ? AND upto_id ${inclusive ? ">=" : ">"} ?`, chat, messageId);
    },
    /** A conversation was deleted: its own memories and summaries go (pins to the character stay). */
    dropChat(chat: string): void {
      storage.transactionSync(() => {
        sql.exec("DELETE FROM memories WHERE chat = ?", chat);
        sql.exec("DELETE FROM summaries WHERE chat = ?", chat);
      });
    },
  };
}

export type Memories = ReturnType<typeof createMemories>;

/**
 * Long memory in the session object's SQLite: pinned memories (copied to
 * PostgreSQL through the outbox) and the versioned running summary (kept
 * here; the raw history it folds stays in PostgreSQL).
 */
import type { Memory } from "../shared/wire";
import type { Outbox } from "./outbox";
import type { Row } from "./schema";
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
  content: String(r.content),
  tokens: Number(r.tokens),
  sourceMessageId: r.source_message_id === null ? null : String(r.source_message_id),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function memoryToWire(m: StoredMemory): Memory {
  return {
    id: m.id,
    content: m.content,
    sourceMessageId: m.sourceMessageId,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
}

export function createMemories(storage: DurableObjectStorage, outbox: Outbox) {
  const sql = storage.sql;
  const rows = (q: string, ...b: SqlStorageValue[]) => sql.exec<Row>(q, ...b).toArray();

  return {
    memories(): StoredMemory[] {
      return rows("SELECT * FROM memories ORDER BY id").map(toMemory);
    },
    memory(id: string): StoredMemory | null {
      const r = rows("SELECT * FROM memories WHERE id = ?", id)[0];
      return r ? toMemory(r) : null;
    },
    saveMemory(m: StoredMemory): void {
      storage.transactionSync(() => {
        sql.exec(
          "INSERT INTO memories (id, content, tokens, source_message_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) " +
            "ON CONFLICT (id) DO UPDATE SET content = excluded.content, tokens = excluded.tokens, updated_at = excluded.updated_at",
          ...[m.id, m.content, m.tokens, m.sourceMessageId, m.createdAt, m.updatedAt],
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
    summary(): Summary | null {
      const r = rows("SELECT * FROM summaries ORDER BY version DESC LIMIT 1")[0];
      if (!r) return null;
      return {
        version: Number(r.version),
        content: String(r.content),
        tokens: Number(r.tokens),
        uptoId: String(r.upto_id),
        createdAt: Number(r.created_at),
      };
    },
    addSummary(s: Omit<Summary, "version">): number {
      const version = (this.summary()?.version ?? 0) + 1;
      sql.exec(
        "INSERT INTO summaries (version, content, tokens, upto_id, created_at) VALUES (?, ?, ?, ?, ?)",
        ...[version, s.content, s.tokens, s.uptoId, s.createdAt],
      );
      return version;
    },
    /** Rewind: drops the summary versions that folded turns after `messageId`. */
    rollbackSummaries(messageId: string, inclusive: boolean): void {
      sql.exec(`DELETE FROM summaries WHERE upto_id ${inclusive ? ">=" : ">"} ?`, messageId);
    },
  };
}

export type Memories = ReturnType<typeof createMemories>;

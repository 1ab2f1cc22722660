/**
 * The reply being written, checkpointed in the object's storage every few
 * dozen tokens or every second (never per token), so a crash mid-stream
 * loses at most that much: the next instance of the object stores what was
 * written as an interrupted reply.
 */
import type { Row } from "./schema";

const EVERY_TOKENS = 32;
const EVERY_MS = 1_000;

export interface Inflight {
  userMessageId: string;
  content: string;
  startedAt: number;
}

export function createCheckpoint(sql: SqlStorage) {
  return {
    /** A reply to `userMessageId` starts; returns what the stream reports its progress to. */
    begin(userMessageId: string): { progress(content: string): void } {
      const startedAt = Date.now();
      sql.exec("INSERT OR REPLACE INTO inflight (id, user_message_id, content, started_at) VALUES (1, ?, '', ?)", userMessageId, startedAt);
      let tokens = 0;
      let savedAt = startedAt;
      return {
        progress(content: string): void {
          if (++tokens < EVERY_TOKENS && Date.now() - savedAt < EVERY_MS) return;
          sql.exec("UPDATE inflight SET content = ? WHERE id = 1", content);
          tokens = 0;
          savedAt = Date.now();
        },
      };
    },
    /** The reply ended (stored or not). */
    clear(): void {
      sql.exec("DELETE FROM inflight");
    },
    /** A reply a previous instance was writing when it died, if any. */
    take(): Inflight | null {
      const r = sql.exec<Row>("SELECT user_message_id, content, started_at FROM inflight WHERE id = 1").toArray()[0];
      return r ? { userMessageId: String(r.user_message_id), content: String(r.content), startedAt: Number(r.started_at) } : null;
    },
  };
}

export type Checkpoint = ReturnType<typeof createCheckpoint>;

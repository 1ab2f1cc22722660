/**
 * The reply being written, checkpointed in the object's storage every few
 * dozen tokens or every second (never per token), so a crash mid-stream
 * loses at most that much: the next instance of the object stores what was
 * written as an interrupted reply.
 */
import { rowsOf } from "./schema";

const EVERY_TOKENS = 32;
const EVERY_MS = 1_000;

export interface Inflight {
  chat: string;
  userMessageId: string;
  /** The reply being continued, when it is a "continue" (the content is then the whole reply). */
  replyId: string | null;
  content: string;
  startedAt: number;
}

export function createCheckpoint(sql: SqlStorage) {
  return {
    /** A reply to `userMessageId` in `chat` starts; returns what the stream reports its progress to. */
    begin(chat: string, userMessageId: string, replyId: string | null): { progress(content: string, frames?: number): void } {
      const startedAt = Date.now();
      sql.exec(
        "INSERT OR REPLACE INTO inflight (chat, user_message_id, reply_id, content, started_at) VALUES (?, ?, ?, '', ?)",
        ...[chat, userMessageId, replyId, startedAt],
      );
      let tokens = 0;
      let savedAt = startedAt;
      return {
        /** The reply so far, `frames` upstream chunks longer than last time. */
        progress(content: string, frames = 1): void {
          tokens += frames;
          if (tokens < EVERY_TOKENS && Date.now() - savedAt < EVERY_MS) return;
          sql.exec("UPDATE inflight SET content = ? WHERE chat = ?", content, chat);
          tokens = 0;
          savedAt = Date.now();
        },
      };
    },
    /** The reply in `chat` ended (stored or not). */
    clear(chat: string): void {
      sql.exec("DELETE FROM inflight WHERE chat = ?", chat);
    },
    /** The replies a previous instance was writing when it died. */
    left(): Inflight[] {
      return rowsOf(sql)("SELECT chat, user_message_id, reply_id, content, started_at FROM inflight").map((r) => ({
        chat: String(r.chat),
        userMessageId: String(r.user_message_id),
        replyId: r.reply_id === null ? null : String(r.reply_id),
        content: String(r.content),
        startedAt: Number(r.started_at),
      }));
    },
  };
}

export type Checkpoint = ReturnType<typeof createCheckpoint>;

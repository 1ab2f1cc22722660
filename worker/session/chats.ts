/**
 * The pair's conversations in the session object: "main", which every pair
 * has, and the ones started with "new chat" or branched from a message.
 * Each has its own history, memories and summary; pins made to the
 * character are shared by all of them.
 */
import type { Persona } from "../shared/wire";
import type { Outbox } from "./outbox";
import { type Row, rowsOf } from "./schema";
import { MAIN_CHAT } from "./types";

export interface ChatRow {
  id: string;
  title: string;
  /** The PostgreSQL session row, once registered. */
  sessionId: string | null;
  /** Whether PostgreSQL holds active messages older than the local ones ("unknown" until it answers). */
  cold: "none" | "some" | "unknown";
  /** Whether the recall index holds the whole active history. */
  indexed: boolean;
  branchedFrom: string | null;
  /** The persona chosen for it (a copy, kept in step by the routes); null: the profile's. */
  persona: Persona | null;
  createdAt: number;
}

const toChat = (r: Row): ChatRow => ({
  id: String(r.id),
  title: String(r.title),
  sessionId: r.session_id === null ? null : String(r.session_id),
  cold: String(r.cold) as ChatRow["cold"],
  indexed: Number(r.indexed) === 1,
  branchedFrom: r.branched_from === null ? null : String(r.branched_from),
  persona: r.persona === null ? null : (JSON.parse(String(r.persona)) as Persona),
  createdAt: Number(r.created_at),
});

export function createChats(sql: SqlStorage, outbox: Outbox) {
  const rows = rowsOf(sql);
  return {
    get(id: string): ChatRow | null {
      if (id === MAIN_CHAT) sql.exec("INSERT OR IGNORE INTO chats (id, created_at) VALUES (?, ?)", MAIN_CHAT, Date.now());
      const r = rows("SELECT * FROM chats WHERE id = ?", id)[0];
      return r ? toChat(r) : null;
    },
    list(): ChatRow[] {
      return rows("SELECT * FROM chats ORDER BY created_at").map(toChat);
    },
    /** A new conversation; `branchedFrom` names the message its copied history ends at. Its history is all here (cold: none). */
    create(id: string, title: string, branchedFrom: string | null): ChatRow {
      const at = Date.now();
      sql.exec("INSERT INTO chats (id, title, cold, created_at, branched_from) VALUES (?, ?, 'none', ?, ?)", id, title, at, branchedFrom);
      if (title) outbox.enqueue({ op: "chat", chat: id, title });
      return { id, title, sessionId: null, cold: "none", indexed: false, branchedFrom, persona: null, createdAt: at };
    },
    rename(id: string, title: string): void {
      sql.exec("UPDATE chats SET title = ? WHERE id = ?", title, id);
      outbox.enqueue({ op: "chat", chat: id, title });
    },
    set(id: string, fields: { sessionId?: string; cold?: ChatRow["cold"]; indexed?: boolean }): void {
      if (fields.sessionId !== undefined) sql.exec("UPDATE chats SET session_id = ? WHERE id = ?", fields.sessionId, id);
      if (fields.cold !== undefined) sql.exec("UPDATE chats SET cold = ? WHERE id = ?", fields.cold, id);
      if (fields.indexed !== undefined) sql.exec("UPDATE chats SET indexed = ? WHERE id = ?", fields.indexed ? 1 : 0, id);
    },
    setPersona(id: string, persona: Persona | null): void {
      sql.exec("UPDATE chats SET persona = ? WHERE id = ?", persona ? JSON.stringify(persona) : null, id);
    },
    /** Forgets a conversation here and has PostgreSQL delete it (its messages and memories go with it). */
    remove(id: string): void {
      sql.exec("DELETE FROM chats WHERE id = ?", id);
      outbox.enqueue({ op: "drop_chat", chat: id });
    },
  };
}

export type Chats = ReturnType<typeof createChats>;

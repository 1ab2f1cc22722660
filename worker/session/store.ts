/**
 * The session object's messages (the recent tail and everything not yet
 * copied), prompt ledgers and settings, in its own SQLite. Every change to a
 * message is written together with its outbox entry and its recall-index
 * entry, in one transaction; only a turn's user message may reach the index
 * later (`indexLate`), off the path to the reply's first token.
 */
import type { MessageStatus, Role } from "../shared/wire";
import type { Outbox } from "./outbox";
import type { RecallIndex } from "./recall-index";
import { type Row, rowsOf } from "./schema";
import type { StoredMessage } from "./types";

function toMessage(r: Row): StoredMessage {
  return {
    id: String(r.id),
    chat: String(r.chat),
    role: r.role as Role,
    content: String(r.content),
    status: r.status as MessageStatus,
    tokens: Number(r.tokens),
    clientId: r.client_id === null ? null : String(r.client_id),
    parentId: r.parent_id === null ? null : String(r.parent_id),
    active: Number(r.active) === 1,
    createdAt: Number(r.created_at),
  };
}

/** The replies to some user messages (a reply's alternatives, on every turn and history page): a lookup in `messages_parent`. */
export const REPLIES_TO_ANY = "SELECT * FROM messages WHERE parent_id IN (SELECT value FROM json_each(?)) ORDER BY id";

export function createStore(storage: DurableObjectStorage, outbox: Outbox, index: RecallIndex) {
  const sql = storage.sql;
  const rows = rowsOf(sql);
  /** Settings as read or written, so a turn's several reads of them cost no query (only `setMeta` writes them). */
  const meta = new Map<string, string | null>();
  const byId = (id: string): StoredMessage | null => {
    const r = rows("SELECT * FROM messages WHERE id = ?", id)[0];
    return r ? toMessage(r) : null;
  };

  return {
    getMeta(key: string): string | null {
      if (meta.has(key)) return meta.get(key)!;
      const r = rows("SELECT value FROM meta WHERE key = ?", key)[0];
      const value = r ? String(r.value) : null;
      meta.set(key, value);
      return value;
    },
    setMeta(key: string, value: string): void {
      sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
      meta.set(key, value);
    },
    /** The storage was emptied. */
    forgetMeta(): void {
      meta.clear();
    },
    /**
     * Writes a message and its outbox entry in one transaction: once this
     * returns, the message is durable. With `indexed` false, its recall-index
     * entry waits for `indexLate`.
     */
    insertMessage(m: StoredMessage, indexed = true): void {
      storage.transactionSync(() => {
        sql.exec(
          "INSERT INTO messages (id, chat, role, content, status, tokens, client_id, parent_id, active, created_at) " +
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          ...[m.id, m.chat, m.role, m.content, m.status, m.tokens, m.clientId, m.parentId, m.active ? 1 : 0, m.createdAt],
        );
        outbox.enqueue({ op: "message", message: m });
        if (indexed) index.add(m);
      });
    },
    /** Indexes a message stored without its index entry, if it is still in the history and not indexed yet. */
    indexLate(chat: string, id: string): void {
      if (!index.needs(chat, id)) return;
      const m = byId(id);
      if (m?.active) storage.transactionSync(() => index.add(m));
    },
    updateMessage(m: StoredMessage): void {
      storage.transactionSync(() => {
        sql.exec(
          "UPDATE messages SET content = ?, status = ?, tokens = ?, active = ? WHERE id = ?",
          ...[m.content, m.status, m.tokens, m.active ? 1 : 0, m.id],
        );
        index.remove(m.id);
        index.add(m);
        outbox.enqueue({ op: "update", id: m.id, content: m.content, status: m.status, tokens: m.tokens, active: m.active });
      });
    },
    /** Takes every message of `chat` from (or after) `fromId` out of the active history, here and in PostgreSQL. */
    deactivate(chat: string, fromId: string, inclusive: boolean): string[] {
      const cmp = inclusive ? ">=" : ">";
      return storage.transactionSync(() => {
        const ids = rows(`SELECT id FROM messages WHERE chat = ? AND active = 1 AND id ${cmp} ?`, chat, fromId).map((r) => String(r.id));
        sql.exec(`UPDATE messages SET active = 0 WHERE chat = ? AND id ${cmp} ?`, chat, fromId);
        index.removeFrom(chat, fromId, inclusive);
        outbox.enqueue({ op: "deactivate", chat, fromId, inclusive });
        return ids;
      });
    },
    /** Deletes a conversation's messages and ledgers here (PostgreSQL is told by the caller). */
    dropChat(chat: string): void {
      sql.exec("DELETE FROM ledgers WHERE message_id IN (SELECT id FROM messages WHERE chat = ?)", chat);
      sql.exec("DELETE FROM messages WHERE chat = ?", chat);
      index.removeChat(chat);
    },
    /** Replies to these user messages, oldest first (alternatives after a regenerate). */
    repliesToAny(parentIds: string[]): StoredMessage[] {
      if (parentIds.length === 0) return [];
      // One JSON array, not a `?` per id: one statement for every length (workerd keeps each distinct one compiled).
      return rows(REPLIES_TO_ANY, JSON.stringify(parentIds)).map(toMessage);
    },
    /** This object's own active messages of `chat`, for rebuilding the recall index. */
    allActive(chat: string): StoredMessage[] {
      return rows("SELECT * FROM messages WHERE chat = ? AND active = 1 ORDER BY id", chat).map(toMessage);
    },
    byClientId(clientId: string): StoredMessage | null {
      const r = rows("SELECT * FROM messages WHERE client_id = ?", clientId)[0];
      return r ? toMessage(r) : null;
    },
    byId,
    /** The newest `limit` active messages of `chat` older than `before`, oldest first. */
    recentActive(chat: string, limit: number, before?: string): StoredMessage[] {
      const r = before
        ? rows("SELECT * FROM messages WHERE chat = ? AND active = 1 AND id < ? ORDER BY id DESC LIMIT ?", chat, before, limit)
        : rows("SELECT * FROM messages WHERE chat = ? AND active = 1 ORDER BY id DESC LIMIT ?", chat, limit);
      return r.map(toMessage).reverse();
    },
    /** The active messages of `chat` up to and including `id`, oldest first (a branch copies them). */
    activeThrough(chat: string, id: string): StoredMessage[] {
      return rows("SELECT * FROM messages WHERE chat = ? AND active = 1 AND id <= ? ORDER BY id", chat, id).map(toMessage);
    },
    oldestId(chat: string): string | null {
      const r = rows("SELECT id FROM messages WHERE chat = ? ORDER BY id LIMIT 1", chat)[0];
      return r ? String(r.id) : null;
    },
    saveLedger(messageId: string, body: string): void {
      sql.exec(
        "INSERT INTO ledgers (message_id, body) VALUES (?, ?) ON CONFLICT (message_id) DO UPDATE SET body = excluded.body",
        messageId,
        body,
      );
    },
    ledger(messageId: string): string | null {
      const r = rows("SELECT body FROM ledgers WHERE message_id = ?", messageId)[0];
      return r ? String(r.body) : null;
    },
  };
}

export type Store = ReturnType<typeof createStore>;

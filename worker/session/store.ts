/**
 * The session object's own SQLite: its messages (the recent tail and
 * everything not yet copied), prompt ledgers, settings, and the outbox of
 * operations waiting to reach PostgreSQL.
 */
import type { MessageStatus, Role } from "../shared/wire";
import { createRecallIndex } from "./recall-index";

export interface StoredMessage {
  id: string;
  role: Role;
  content: string;
  status: MessageStatus;
  tokens: number;
  clientId: string | null;
  parentId: string | null;
  active: boolean;
  createdAt: number;
}

export type OutboxOp =
  | { op: "message"; message: StoredMessage }
  | { op: "update"; id: string; content: string; status: MessageStatus; tokens: number; active: boolean }
  /** Rewind: every message from (or after) `id` leaves the active history. */
  | { op: "deactivate"; fromId: string; inclusive: boolean }
  | { op: "memory"; memory: { id: string; content: string; sourceMessageId: string | null; createdAt: number; updatedAt: number } }
  | { op: "forget"; id: string };

type Row = Record<string, SqlStorageValue>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY, role TEXT NOT NULL, content TEXT NOT NULL, status TEXT NOT NULL,
  tokens INTEGER NOT NULL, client_id TEXT UNIQUE, parent_id TEXT, active INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS messages_active ON messages (active, id);
CREATE TABLE IF NOT EXISTS ledgers (message_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
`;

function toMessage(r: Row): StoredMessage {
  return {
    id: String(r.id),
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

export function createStore(storage: DurableObjectStorage) {
  const sql = storage.sql;
  sql.exec(SCHEMA);
  const index = createRecallIndex(sql);
  const rows = (q: string, ...b: SqlStorageValue[]) => sql.exec<Row>(q, ...b).toArray();

  return {
    /** Full-text search over this object's active history (see recall-index.ts). */
    index,
    getMeta(key: string): string | null {
      const r = rows("SELECT value FROM meta WHERE key = ?", key)[0];
      return r ? String(r.value) : null;
    },
    setMeta(key: string, value: string): void {
      sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
    },
    /** Writes a message and its outbox entry in one transaction: once this returns, the message is durable. */
    insertMessage(m: StoredMessage): void {
      const op: OutboxOp = { op: "message", message: m };
      storage.transactionSync(() => {
        sql.exec(
          "INSERT INTO messages (id, role, content, status, tokens, client_id, parent_id, active, created_at) " +
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          m.id,
          m.role,
          m.content,
          m.status,
          m.tokens,
          m.clientId,
          m.parentId,
          m.active ? 1 : 0,
          m.createdAt,
        );
        sql.exec("INSERT INTO outbox (body) VALUES (?)", JSON.stringify(op));
        index.add(m);
      });
    },
    updateMessage(m: StoredMessage): void {
      storage.transactionSync(() => {
        sql.exec(
          "UPDATE messages SET content = ?, status = ?, tokens = ?, active = ? WHERE id = ?",
          m.content,
          m.status,
          m.tokens,
          m.active ? 1 : 0,
          m.id,
        );
        index.remove(m.id);
        index.add(m);
        const op: OutboxOp = { op: "update", id: m.id, content: m.content, status: m.status, tokens: m.tokens, active: m.active };
        sql.exec("INSERT INTO outbox (body) VALUES (?)", JSON.stringify(op));
      });
    },
    /** Takes every message from (or after) `id` out of the active history, here and in PostgreSQL. */
    deactivate(fromId: string, inclusive: boolean): string[] {
      const cmp = inclusive ? ">=" : ">";
      return storage.transactionSync(() => {
        const ids = rows(`SELECT id FROM messages WHERE active = 1 AND id ${cmp} ?`, fromId).map((r) => String(r.id));
        sql.exec(`UPDATE messages SET active = 0 WHERE id ${cmp} ?`, fromId);
        index.removeFrom(fromId, inclusive);
        const op: OutboxOp = { op: "deactivate", fromId, inclusive };
        sql.exec("INSERT INTO outbox (body) VALUES (?)", JSON.stringify(op));
        return ids;
      });
    },
    /** Replies to these user messages, for alternatives (swipes). */
    repliesToAny(parentIds: string[]): StoredMessage[] {
      if (parentIds.length === 0) return [];
      return rows(`SELECT * FROM messages WHERE parent_id IN (${parentIds.map(() => "?").join(",")}) ORDER BY id`, ...parentIds).map(
        toMessage,
      );
    },
    /** Rebuilds the full-text index from this object's own active messages. */
    reindexLocal(): void {
      storage.transactionSync(() => {
        index.clear();
        for (const r of rows("SELECT * FROM messages WHERE active = 1")) index.add(toMessage(r));
      });
    },
    /** Adds older messages (from PostgreSQL) to the full-text index. */
    indexMany(ms: StoredMessage[]): void {
      storage.transactionSync(() => {
        for (const m of ms) index.add(m);
      });
    },
    byClientId(clientId: string): StoredMessage | null {
      const r = rows("SELECT * FROM messages WHERE client_id = ?", clientId)[0];
      return r ? toMessage(r) : null;
    },
    byId(id: string): StoredMessage | null {
      const r = rows("SELECT * FROM messages WHERE id = ?", id)[0];
      return r ? toMessage(r) : null;
    },
    /** Replies to a user message, oldest first (alternatives after a regenerate). */
    repliesTo(parentId: string): StoredMessage[] {
      return rows("SELECT * FROM messages WHERE parent_id = ? ORDER BY id", parentId).map(toMessage);
    },
    /** The newest `limit` active messages older than `before`, oldest first. */
    recentActive(limit: number, before?: string): StoredMessage[] {
      const r = before
        ? rows("SELECT * FROM messages WHERE active = 1 AND id < ? ORDER BY id DESC LIMIT ?", before, limit)
        : rows("SELECT * FROM messages WHERE active = 1 ORDER BY id DESC LIMIT ?", limit);
      return r.map(toMessage).reverse();
    },
    oldestId(): string | null {
      const r = rows("SELECT id FROM messages ORDER BY id LIMIT 1")[0];
      return r ? String(r.id) : null;
    },
    count(): number {
      return Number(rows("SELECT count(*) AS n FROM messages")[0].n);
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
    outbox(limit: number): { seq: number; op: OutboxOp }[] {
      return rows("SELECT seq, body FROM outbox ORDER BY seq LIMIT ?", limit).map((r) => ({
        seq: Number(r.seq),
        op: JSON.parse(String(r.body)) as OutboxOp,
      }));
    },
    ackOutbox(uptoSeq: number): void {
      sql.exec("DELETE FROM outbox WHERE seq <= ?", uptoSeq);
    },
    outboxSize(): number {
      return Number(rows("SELECT count(*) AS n FROM outbox")[0].n);
    },
  };
}

export type Store = ReturnType<typeof createStore>;

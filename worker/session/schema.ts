/**
 * The session object's own SQLite: every table it keeps, created when the
 * object starts and again after its storage is emptied (the recall index's
 * only once a conversation needs it), and upgraded in place when an older
 * object (one conversation per pair) wakes up.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chats (id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', session_id TEXT,
  cold TEXT NOT NULL DEFAULT 'unknown', indexed INTEGER NOT NULL DEFAULT 0, branched_from TEXT, persona TEXT, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY, chat TEXT NOT NULL DEFAULT 'main', role TEXT NOT NULL, content TEXT NOT NULL, status TEXT NOT NULL,
  tokens INTEGER NOT NULL, client_id TEXT UNIQUE, parent_id TEXT, active INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS inflight (chat TEXT PRIMARY KEY, user_message_id TEXT NOT NULL, reply_id TEXT,
  content TEXT NOT NULL, started_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ledgers (message_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dead_letters (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, code TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS memories (id TEXT PRIMARY KEY, chat TEXT DEFAULT 'main', content TEXT NOT NULL, tokens INTEGER NOT NULL,
  source_message_id TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS summaries (chat TEXT NOT NULL DEFAULT 'main', version INTEGER NOT NULL, content TEXT NOT NULL,
  tokens INTEGER NOT NULL, upto_id TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (chat, version));
`;
const INDEXES = `
CREATE INDEX IF NOT EXISTS messages_chat_active ON messages (chat, active, id);
-- A reply's alternatives (store.ts REPLIES_TO_ANY): without it, each turn scanned every message the object holds.
CREATE INDEX IF NOT EXISTS messages_parent ON messages (parent_id) WHERE parent_id IS NOT NULL;
`;

/**
 * The recall index's tables (recall-index.ts), made when a conversation of
 * the object first outgrows its window: a small conversation never pays
 * for them (about 90 KB of an object's memory).
 */
export const RECALL_SCHEMA = `
CREATE TABLE IF NOT EXISTS recall_chats (chat TEXT PRIMARY KEY, slot INTEGER NOT NULL UNIQUE, seq INTEGER NOT NULL DEFAULT 0,
  docs INTEGER NOT NULL DEFAULT 0, length INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS recall_docs (rid INTEGER PRIMARY KEY, chat TEXT NOT NULL, mid TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
  content TEXT NOT NULL, stems TEXT NOT NULL, tokens INTEGER NOT NULL, at INTEGER NOT NULL, marker TEXT);
CREATE TABLE IF NOT EXISTS recall_df (chat TEXT NOT NULL, stem TEXT NOT NULL, df INTEGER NOT NULL, PRIMARY KEY (chat, stem)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS recall_index USING fts5(stems, content = 'recall_docs', content_rowid = 'rid',
  tokenize = 'ascii', detail = 'none');
-- A merge step (tidy in recall-index.ts) merges any two b-trees of a level.
INSERT INTO recall_index (recall_index, rank) VALUES ('usermerge', 2);
CREATE INDEX IF NOT EXISTS recall_docs_order ON recall_docs (chat, mid);
CREATE INDEX IF NOT EXISTS recall_docs_dated ON recall_docs (chat, mid) WHERE marker IS NOT NULL;
`;

export function ensureSchema(sql: SqlStorage): void {
  upgradeFromOneConversation(sql);
  const chats = columns(sql, "chats");
  if (chats.length > 0 && !chats.includes("persona")) sql.exec("ALTER TABLE chats ADD COLUMN persona TEXT");
  const inflight = columns(sql, "inflight");
  if (inflight.length > 0 && !inflight.includes("reply_id")) sql.exec("DROP TABLE inflight");
  upgradeRecallIndex(sql);
  sql.exec(SCHEMA);
  sql.exec(INDEXES);
}

/** The first recall index (words, not stems, and no statistics): dropped, and every conversation marked for reindexing. */
function upgradeRecallIndex(sql: SqlStorage): void {
  if (columns(sql, "recall_fts").length === 0) return;
  sql.exec("DROP TABLE recall_fts");
  if (columns(sql, "chats").length > 0) sql.exec("UPDATE chats SET indexed = 0");
}

const columns = (sql: SqlStorage, table: string) => rowsOf(sql)("SELECT name FROM pragma_table_info(?)", table).map((r) => String(r.name));

/** Objects written before conversations had ids: everything becomes the "main" conversation. */
function upgradeFromOneConversation(sql: SqlStorage): void {
  const messageColumns = columns(sql, "messages");
  if (messageColumns.length === 0 || messageColumns.includes("chat")) return;
  sql.exec("ALTER TABLE messages ADD COLUMN chat TEXT NOT NULL DEFAULT 'main'");
  if (columns(sql, "memories").length > 0) sql.exec("ALTER TABLE memories ADD COLUMN chat TEXT DEFAULT 'main'");
  if (columns(sql, "summaries").length > 0) {
    sql.exec("ALTER TABLE summaries RENAME TO summaries_v1");
    sql.exec(SCHEMA);
    sql.exec("INSERT INTO summaries (chat, version, content, tokens, upto_id, created_at) SELECT 'main', * FROM summaries_v1");
    sql.exec("DROP TABLE summaries_v1");
  }
  // The reply in flight and the search index are rebuilt in the new shape.
  if (columns(sql, "inflight").length > 0 && !columns(sql, "inflight").includes("chat")) sql.exec("DROP TABLE inflight");
  sql.exec("DROP TABLE IF EXISTS recall_fts");
  const meta = (key: string) => rowsOf(sql)("SELECT value FROM meta WHERE key = ?", key)[0]?.value;
  const cold = String(meta("cold") ?? "unknown");
  const session = meta("session_id") ?? null;
  sql.exec(SCHEMA);
  sql.exec("INSERT OR IGNORE INTO chats (id, session_id, cold, created_at) VALUES ('main', ?, ?, ?)", session, cold, Date.now());
}

export type Row = Record<string, SqlStorageValue>;

/**
 * A statement's rows as objects, built here from `raw()`: workerd's
 * `toArray()` makes each row object natively and costs several times more
 * (a recall reading 200 turns: about 0.7 ms of its 4.2).
 */
export function rowsOf(sql: SqlStorage): (q: string, ...b: SqlStorageValue[]) => Row[] {
  return (q, ...b) => {
    const cursor = sql.exec(q, ...b);
    const names = cursor.columnNames;
    const out: Row[] = [];
    for (const values of cursor.raw()) {
      const row: Row = {};
      for (let i = 0; i < names.length; i++) row[names[i]] = values[i];
      out.push(row);
    }
    return out;
  };
}

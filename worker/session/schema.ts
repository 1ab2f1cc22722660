/**
 * The session object's own SQLite: every table it keeps, created when the
 * object starts and again after its storage is emptied.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY, role TEXT NOT NULL, content TEXT NOT NULL, status TEXT NOT NULL,
  tokens INTEGER NOT NULL, client_id TEXT UNIQUE, parent_id TEXT, active INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS messages_active ON messages (active, id);
CREATE TABLE IF NOT EXISTS inflight (id INTEGER PRIMARY KEY CHECK (id = 1), user_message_id TEXT NOT NULL,
  content TEXT NOT NULL, started_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ledgers (message_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dead_letters (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, code TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS memories (id TEXT PRIMARY KEY, content TEXT NOT NULL, tokens INTEGER NOT NULL,
  source_message_id TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS summaries (version INTEGER PRIMARY KEY, content TEXT NOT NULL, tokens INTEGER NOT NULL,
  upto_id TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS recall_fts USING fts5(
  content, mid UNINDEXED, role UNINDEXED, tokens UNINDEXED, at UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
`;

export function ensureSchema(sql: SqlStorage): void {
  sql.exec(SCHEMA);
}

export type Row = Record<string, SqlStorageValue>;

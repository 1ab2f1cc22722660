/**
 * PostgreSQL access through postgres.js and drizzle. In the stateless worker
 * a client lives for one request; a session object keeps one for its life.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";

export type Db = ReturnType<typeof drizzle>;
export interface DbHandle {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * A small pool (workerd sockets cannot be shared across requests); idle
 * connections close after `idleSeconds` and reopen on the next query.
 */
export function createDb(url: string, opts: { max?: number; idleSeconds?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: opts.max ?? 1,
    fetch_types: false,
    prepare: true,
    connect_timeout: 5,
    idle_timeout: opts.idleSeconds ?? 20,
    onnotice: () => {},
  });
  // Without the schema: nothing uses the relational query API, and mapping it costs about 0.1 ms per client (a request, or a session object's connection).
  const db = drizzle(sql);
  return { db, sql, close: () => sql.end({ timeout: 1 }) };
}

/** A round trip to PostgreSQL (readiness). */
export async function ping(db: Db): Promise<void> {
  await db.execute("select 1");
}

/** PostgreSQL could not be reached (drizzle wraps the driver's error as its cause). */
export function isDatabaseDown(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 3;
    e = e.cause as typeof e, depth++
  ) {
    // 08: a connection exception (a pool in front could not reach the server); 53300: too many connections; 57P01-03: the server is shutting down or starting.
    if (
      typeof e.code === "string" &&
      /^(ECONNREFUSED|ECONNRESET|CONNECT_TIMEOUT|CONNECTION_|08[0-9A-Z]{3}$|53300$|57P0[123]$)/.test(e.code)
    )
      return true;
    if (typeof e.message === "string" && /Network connection lost|cannot connect|connect(ion)? (refused|timeout)/i.test(e.message))
      return true;
  }
  return false;
}

/**
 * PostgreSQL access through postgres.js and drizzle. In the stateless worker
 * a client lives for one request; a session object keeps one for its life.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Db = ReturnType<typeof drizzle<typeof schema>>;
export interface DbHandle {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/** One small pool (workerd sockets cannot be shared across requests). */
export function createDb(url: string, opts: { max?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: opts.max ?? 1,
    fetch_types: false,
    prepare: true,
    connect_timeout: 5,
    idle_timeout: 20,
    onnotice: () => {},
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 1 }) };
}

/**
 * The session object's PostgreSQL connection: one, opened on first use and
 * closed after a few idle seconds, so an object that only serves hot turns
 * holds none. Shared by hydration, the character cache, recall's fallback
 * and the outbox.
 */
import type postgres from "postgres";
import { createDb, type Db, type DbHandle } from "../db/client";

const IDLE_SECONDS = 5;

export function createSessionPg(url: string) {
  let handle: DbHandle | null = null;
  const open = (): DbHandle => {
    if (!url) throw new Error("DATABASE_URL is not configured");
    return (handle ??= createDb(url, { max: 1, idleSeconds: IDLE_SECONDS }));
  };
  return {
    db: (): Db => open().db,
    sql: (): postgres.Sql => open().sql,
    /** Drops the connection (after a failure, or when the conversation is deleted). */
    async reset(): Promise<void> {
      const h = handle;
      handle = null;
      await h?.close().catch(() => {});
    },
  };
}

export type SessionPg = ReturnType<typeof createSessionPg>;

/**
 * The session object's PostgreSQL connection: one, opened on first use and
 * closed after a moment idle, so an object that only serves hot turns holds
 * none. Shared by hydration, the character cache, recall's fallback and the
 * outbox. When the server has no connection slot left (many conversations
 * waking at once), a call waits and tries again instead of failing.
 */
import { createDb, type DbHandle } from "../db/client";

const IDLE_SECONDS = 2;
const ATTEMPTS = 8;

/** PostgreSQL refused the connection for lack of slots (53300), or is starting up or shutting down (57P03). */
function noSlot(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; e = e.cause as typeof e, depth++) {
    if (e.code === "53300" || e.code === "57P03") return true;
  }
  return false;
}

export function createSessionPg(url: string) {
  let handle: DbHandle | null = null;
  const open = (): DbHandle => {
    if (!url) throw new Error("DATABASE_URL is not configured");
    return (handle ??= createDb(url, { max: 1, idleSeconds: IDLE_SECONDS }));
  };
  return {
    /** Runs `fn` with the connection, waiting (jittered, growing) while the server has no slot for it. */
    async run<T>(fn: (pg: DbHandle) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn(open());
        } catch (err) {
          if (!noSlot(err) || attempt >= ATTEMPTS) throw err;
          await new Promise((r) => setTimeout(r, (20 + Math.random() * 40) * 2 ** attempt));
        }
      }
    },
    /** Drops the connection (after a failure, or when the conversation is deleted). */
    async reset(): Promise<void> {
      const h = handle;
      handle = null;
      await h?.close().catch(() => {});
    },
  };
}

export type SessionPg = ReturnType<typeof createSessionPg>;

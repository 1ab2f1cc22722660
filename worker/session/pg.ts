/**
 * The session object's PostgreSQL connection: one, opened on first use and
 * let go after a moment idle (the client with it: about 45 KB of an idle
 * object's memory), so an object that only serves hot turns holds none. Shared by hydration, the character cache, recall's fallback and the
 * outbox. When the server has no connection slot left (many conversations
 * waking at once), a call waits and tries again instead of failing.
 */
import { createDb, type DbHandle } from "../db/client";

const IDLE_SECONDS = 1;
/** About half a minute of waiting at most: a slot frees as soon as any conversation goes idle. */
const ATTEMPTS = 20;

/**
 * The connection was never made, so no query ran and trying again is safe:
 * no slot left (53300), the server starting or stopping (57P03), or the
 * connect itself timed out (a burst of connections on a busy server).
 */
function noSlot(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; e = e.cause as typeof e, depth++) {
    if (e.code === "53300" || e.code === "57P03" || e.code === "CONNECT_TIMEOUT") return true;
  }
  return false;
}

export function createSessionPg(url: string) {
  let handle: DbHandle | null = null;
  let running = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const open = (): DbHandle => {
    if (!url) throw new Error("DATABASE_URL is not configured");
    return (handle ??= createDb(url, { max: 1, idleSeconds: IDLE_SECONDS }));
  };
  /** Drops the client and its connection; the next call makes a new one. */
  const reset = async (): Promise<void> => {
    const h = handle;
    handle = null;
    await h?.close().catch(() => {});
  };
  return {
    /** Runs `fn` with the connection, waiting (jittered, growing) while the server has no slot for it. */
    async run<T>(fn: (pg: DbHandle) => Promise<T>): Promise<T> {
      running++;
      clearTimeout(idle);
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            return await fn(open());
          } catch (err) {
            if (!noSlot(err) || attempt >= ATTEMPTS) throw err;
            await new Promise((r) => setTimeout(r, Math.min(2_000, (20 + Math.random() * 40) * 2 ** attempt) * (0.5 + Math.random())));
          }
        }
      } finally {
        if (--running === 0) idle = setTimeout(() => running === 0 && void reset(), IDLE_SECONDS * 1000);
      }
    },
    /** Drops the connection (after a failure, or when the conversation is deleted). */
    reset,
  };
}

export type SessionPg = ReturnType<typeof createSessionPg>;

/**
 * Draining a session's outbox to PostgreSQL: a batch at a time, in order,
 * idempotently; on failure a backoff that the caller re-arms its alarm with.
 */
import type { Db } from "../db/client";
import { applyOps } from "./cold";
import type { Store } from "./store";

const BATCH = 200;
const MAX_BACKOFF_MS = 10_000;

/** A foreign-key violation: the rows' owner (user or character) was deleted. */
function isGone(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code === "23503" || e.cause?.code === "23503";
}

/** When to run again: now (more queued), later (backoff after a failure), or never (empty). */
export type Next = { at: "now" } | { at: "later"; delayMs: number; error: unknown } | { at: "never" };

export async function drainOutbox(store: Store, db: () => Db): Promise<Next> {
  const batch = store.outbox(BATCH);
  const userId = store.getMeta("owner");
  const characterId = store.getMeta("character");
  const sessionId = store.getMeta("session_id");
  if (batch.length === 0 || !userId || !characterId || !sessionId) return { at: "never" };
  const lastSeq = batch[batch.length - 1].seq;
  try {
    await applyOps(
      db(),
      { userId, characterId },
      sessionId,
      batch.map((b) => b.op),
    );
  } catch (err) {
    if (isGone(err)) {
      // Nothing left in PostgreSQL to copy to; the account or character was deleted.
      store.ackOutbox(lastSeq);
      return { at: "never" };
    }
    const failures = Number(store.getMeta("outbox_failures") ?? "0") + 1;
    store.setMeta("outbox_failures", String(failures));
    return { at: "later", delayMs: Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 10)), error: err };
  }
  store.ackOutbox(lastSeq);
  store.setMeta("outbox_failures", "0");
  return store.outboxSize() > 0 ? { at: "now" } : { at: "never" };
}

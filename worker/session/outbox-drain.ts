/**
 * Draining an outbox to PostgreSQL: a batch at a time, in order,
 * idempotently. A failure PostgreSQL will repeat forever (a data exception
 * or an integrity error) does not wedge the queue: the one operation that
 * causes it is set aside as a dead letter and the rest drains. Anything else
 * (an outage) is retried later with backoff.
 */
import { errorKind } from "../log";
import type { OutboxOp } from "./types";

export interface QueuedOp {
  seq: number;
  op: OutboxOp;
}

/** Where an outbox keeps its entries; the session object's SQLite in production. */
export interface OutboxQueue {
  batch(limit: number): QueuedOp[];
  /** Removes every entry up to and including `seq`. */
  ack(uptoSeq: number): void;
  /** Moves one entry aside for good, with the SQLSTATE that refused it. */
  deadLetter(entry: QueuedOp, code: string): void;
  size(): number;
}

/** When to run again: now (more queued), later (backoff after a failure), or never (empty). */
export type Next = { at: "now" } | { at: "later"; delayMs: number; code: string } | { at: "never" };

export const BATCH = 200;
const MAX_BACKOFF_MS = 10_000;

/** The SQLSTATE of a PostgreSQL error, looking through drizzle's wrapping. */
export function sqlState(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/**
 * How PostgreSQL's refusal should be treated: `gone` when the rows' owner
 * (user or character) was deleted, `permanent` when the same operation would
 * be refused again (data exceptions, integrity errors, values too large),
 * `transient` for everything else (outages, timeouts, too many connections).
 */
export function classify(err: unknown): "gone" | "permanent" | "transient" {
  const code = sqlState(err);
  if (code === "23503") return "gone";
  if (code && (code.startsWith("22") || code.startsWith("23") || code === "54000")) return "permanent";
  return "transient";
}

export function backoffMs(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 10));
}

/**
 * Copies one batch. `apply` writes operations in one transaction. A batch
 * refused for good is replayed one operation at a time, so only the
 * operation at fault becomes a dead letter.
 */
export async function drainBatch(queue: OutboxQueue, apply: (ops: OutboxOp[]) => Promise<void>, failures: number): Promise<Next> {
  const batch = queue.batch(BATCH);
  if (batch.length === 0) return { at: "never" };
  try {
    await apply(batch.map((b) => b.op));
    queue.ack(batch[batch.length - 1].seq);
  } catch (err) {
    const kind = classify(err);
    if (kind === "gone") {
      // Nothing left in PostgreSQL to copy to; the account or character was deleted.
      queue.ack(batch[batch.length - 1].seq);
      return { at: "never" };
    }
    if (kind === "transient") return { at: "later", delayMs: backoffMs(failures + 1), code: errorKind(err) };
    for (const entry of batch) {
      try {
        await apply([entry.op]);
      } catch (one) {
        const k = classify(one);
        if (k === "transient") return { at: "later", delayMs: backoffMs(failures + 1), code: errorKind(one) };
        if (k === "permanent") queue.deadLetter(entry, sqlState(one) ?? "unknown");
      }
      queue.ack(entry.seq);
    }
  }
  return queue.size() > 0 ? { at: "now" } : { at: "never" };
}

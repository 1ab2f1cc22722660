/**
 * The session object's outbox: the one owner of its queue of operations
 * waiting to reach PostgreSQL, of the alarm that drains it, and of the dead
 * letters PostgreSQL refused for good. Callers enqueue inside their own
 * transaction, so a change and its copy are durable together.
 */
import { applyOps } from "../db/messages";
import { logEvent } from "../log";
import { drainBatch, type OutboxQueue, type QueuedOp } from "./outbox-drain";
import type { SessionPg } from "./pg";
import { rowsOf } from "./schema";
import type { OutboxOp, Pair } from "./types";

/** `target`: the pair whose rows the copies go to, once the object has an owner. */
export function createOutbox(ctx: DurableObjectState, pg: SessionPg, target: () => Pair | null) {
  const sql = ctx.storage.sql;
  const rows = rowsOf(sql);
  /** When the alarm is set to fire (null: not set, as far as this instance knows). */
  let alarmAt: number | null = null;
  let failures = 0;

  const queue: OutboxQueue = {
    batch: (limit) =>
      rows("SELECT seq, body FROM outbox ORDER BY seq LIMIT ?", limit).map(
        (r): QueuedOp => ({ seq: Number(r.seq), op: JSON.parse(String(r.body)) as OutboxOp }),
      ),
    ack: (uptoSeq) => sql.exec("DELETE FROM outbox WHERE seq <= ?", uptoSeq),
    deadLetter(entry, code) {
      sql.exec("INSERT INTO dead_letters (seq, body, code, at) VALUES (?, ?, ?, ?)", entry.seq, JSON.stringify(entry.op), code, Date.now());
      logEvent("error", "outbox_dead_letter", { code, op: entry.op.op, id: opId(entry.op) });
    },
    size: () => Number(rows("SELECT count(*) AS n FROM outbox")[0].n),
  };

  /** Arms the alarm for `at` unless it already fires sooner (a busy session must not push it away forever). */
  function flushBy(at: number): void {
    if (alarmAt !== null && alarmAt <= at) return;
    alarmAt = at;
    void ctx.storage.setAlarm(at);
  }

  return {
    enqueue(op: OutboxOp): void {
      sql.exec("INSERT INTO outbox (body) VALUES (?)", JSON.stringify(op));
    },
    flushBy,
    /** Operations PostgreSQL refused for good, and why (for operators; never their content in logs). */
    deadLetters(): { seq: number; op: OutboxOp["op"]; code: string; at: number }[] {
      return rows("SELECT seq, body, code, at FROM dead_letters ORDER BY seq").map((r) => ({
        seq: Number(r.seq),
        op: (JSON.parse(String(r.body)) as OutboxOp).op,
        code: String(r.code),
        at: Number(r.at),
      }));
    },
    /** The storage was emptied: nothing is scheduled any more. */
    reset(): void {
      alarmAt = null;
      failures = 0;
    },
    /** The alarm: copies what is queued; on failure retries with backoff, re-arming itself. */
    async drain(): Promise<void> {
      alarmAt = null;
      const pair = target();
      if (!pair) return;
      const next = await drainBatch(queue, (ops) => pg.run((h) => applyOps(h.db, pair, ops)), failures);
      if (next.at === "later") {
        failures++;
        logEvent("warn", "outbox_retry", { delayMs: next.delayMs, code: next.code, queued: queue.size() });
        await pg.reset();
        flushBy(Date.now() + next.delayMs);
        return;
      }
      failures = 0;
      if (next.at === "now") flushBy(Date.now());
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;

/** The id an operator can look up; never content. */
function opId(op: OutboxOp): string {
  if (op.op === "message") return op.message.id;
  if (op.op === "memory") return op.memory.id;
  if (op.op === "deactivate") return op.fromId;
  if (op.op === "chat" || op.op === "drop_chat") return op.chat;
  return op.id;
}

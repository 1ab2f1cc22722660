/**
 * The outbox drain against the run's real PostgreSQL: in order, idempotent,
 * never wedged by one operation PostgreSQL refuses for good, and patient
 * through an outage.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb, type DbHandle } from "../db/client";
import { applyOps } from "../db/messages";
import { characters, chatMessages, chatSessions, users } from "../db/schema";
import { newId } from "../ids";
import { BATCH, classify, drainBatch, type OutboxQueue, type QueuedOp } from "./outbox-drain";
import type { OutboxOp, Pair } from "./types";

let pg: DbHandle;
beforeAll(() => {
  pg = createDb(inject("databaseUrl"));
});
afterAll(() => pg.close());

/** An outbox kept in memory, as the session object keeps one in SQLite. */
function memoryQueue(ops: OutboxOp[]) {
  let entries: QueuedOp[] = ops.map((op, i) => ({ seq: i + 1, op }));
  const dead: { seq: number; code: string }[] = [];
  const queue: OutboxQueue = {
    batch: (limit) => entries.slice(0, limit),
    ack: (upto) => {
      entries = entries.filter((e) => e.seq > upto);
    },
    deadLetter: (entry, code) => dead.push({ seq: entry.seq, code }),
    size: () => entries.length,
  };
  return { queue, dead, left: () => entries.length };
}

async function newPair(): Promise<Pair> {
  const userId = newId();
  const characterId = newId();
  const name = `drain${userId.slice(-12)}`;
  await pg.db.insert(users).values({ id: userId, username: name, email: `${name}@example.test`, passwordHash: "x" });
  await pg.db.insert(characters).values({ id: characterId, creatorId: userId, name: "Drain" });
  return { userId, characterId };
}

const message = (content: string, chat = "main", createdAt = Date.now()): OutboxOp => ({
  op: "message",
  message: {
    id: newId(),
    chat,
    role: "user",
    content,
    status: "complete",
    tokens: 1,
    clientId: null,
    parentId: null,
    active: true,
    createdAt,
  },
});

const stored = async (pair: Pair) =>
  (await pg.db.select({ content: chatMessages.content }).from(chatMessages).where(eq(chatMessages.userId, pair.userId)))
    .map((r) => r.content)
    .sort();

describe("drainBatch", () => {
  it("copies every queued operation once, however often it runs", async () => {
    const pair = await newPair();
    const ops = [message("one"), message("two")];
    const apply = (batch: OutboxOp[]) => applyOps(pg.db, pair, batch);
    const first = memoryQueue(ops);
    expect(await drainBatch(first.queue, apply, 0)).toEqual({ at: "never" });
    expect(await drainBatch(memoryQueue(ops).queue, apply, 0)).toEqual({ at: "never" });
    expect(await stored(pair)).toEqual(["one", "two"]);
  });

  it("files each conversation's messages under its own session row, dated by its newest message", async () => {
    const pair = await newPair();
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const ops = [message("main 1", "main", t), message("side 1", "side", t + 5), message("main 2", "main", t + 1000)];
    expect(await drainBatch(memoryQueue(ops).queue, (batch) => applyOps(pg.db, pair, batch), 0)).toEqual({ at: "never" });
    const sessions = await pg.db
      .select({ id: chatSessions.id, chat: chatSessions.chatKey, updatedAt: chatSessions.updatedAt })
      .from(chatSessions)
      .where(eq(chatSessions.userId, pair.userId));
    const rows = await pg.db
      .select({ content: chatMessages.content, sessionId: chatMessages.sessionId, createdAt: chatMessages.createdAt })
      .from(chatMessages)
      .where(eq(chatMessages.userId, pair.userId));
    const chatOf = (content: string) => sessions.find((s) => s.id === rows.find((r) => r.content === content)?.sessionId)?.chat;
    expect([chatOf("main 1"), chatOf("main 2"), chatOf("side 1")]).toEqual(["main", "main", "side"]);
    expect(sessions.find((s) => s.chat === "main")?.updatedAt.getTime()).toBe(t + 1000);
    expect(sessions.find((s) => s.chat === "side")?.updatedAt.getTime()).toBe(t + 5);
    expect(rows.find((r) => r.content === "main 1")?.createdAt.getTime()).toBe(t);
    // A later turn of the same conversation reuses its session row.
    await drainBatch(memoryQueue([message("main 3", "main", t + 2000)]).queue, (batch) => applyOps(pg.db, pair, batch), 0);
    const again = await pg.db.select({ id: chatSessions.id }).from(chatSessions).where(eq(chatSessions.userId, pair.userId));
    expect(again).toHaveLength(2);
  });

  it("sets aside an operation PostgreSQL refuses for good, and the rows after it arrive", async () => {
    const pair = await newPair();
    const q = memoryQueue([message("before"), message("a \u0000 b"), message("after")]);
    const next = await drainBatch(q.queue, (batch) => applyOps(pg.db, pair, batch), 0);
    expect(next).toEqual({ at: "never" });
    expect(q.left()).toBe(0);
    expect(q.dead).toEqual([{ seq: 2, code: expect.stringMatching(/^22/) }]);
    expect(await stored(pair)).toEqual(["after", "before"]);
  });

  it("keeps everything and backs off while PostgreSQL is unreachable", async () => {
    const down = createDb("postgres://postgres@127.0.0.1:9/none");
    try {
      const q = memoryQueue([message("waits")]);
      const next = await drainBatch(q.queue, (batch) => applyOps(down.db, { userId: newId(), characterId: newId() }, batch), 3);
      expect(next).toMatchObject({ at: "later", delayMs: 250 * 2 ** 4 });
      expect(q.left()).toBe(1);
      expect(q.dead).toEqual([]);
    } finally {
      await down.close();
    }
  });

  it("drops what belongs to a deleted account (nothing left to copy to)", async () => {
    const pair = await newPair();
    await pg.db.delete(users).where(eq(users.id, pair.userId));
    const q = memoryQueue([message("orphan")]);
    expect(await drainBatch(q.queue, (batch) => applyOps(pg.db, pair, batch), 0)).toEqual({ at: "never" });
    expect(q.left()).toBe(0);
    expect(q.dead).toEqual([]);
  });

  it("asks to run again while more than a batch is queued", async () => {
    const pair = await newPair();
    const q = memoryQueue(Array.from({ length: BATCH + 1 }, (_, i) => message(`m${i}`)));
    expect(await drainBatch(q.queue, (batch) => applyOps(pg.db, pair, batch), 0)).toEqual({ at: "now" });
    expect(q.left()).toBe(1);
  });
});

describe("classify", () => {
  it("tells a deleted owner, a refusal for good and an outage apart by SQLSTATE", () => {
    expect(classify({ code: "23503" })).toBe("gone");
    expect(classify({ cause: { code: "22021" } })).toBe("permanent");
    expect(classify({ code: "23514" })).toBe("permanent");
    expect(classify({ code: "ECONNREFUSED" })).toBe("transient");
    expect(classify({ code: "53300" })).toBe("transient");
    expect(classify(new Error("socket hang up"))).toBe("transient");
  });
});

/**
 * Recall's PostgreSQL fallback (used while the session object's own index
 * refills after a restart) gives the lexical retriever what the object's
 * index gives it: a matching turn with the turns said around it, in order,
 * so the answer to a question comes back with the question.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedHistory } from "../bench/seed";
import type { Stack } from "../dev/stack";
import { recallIndexPg } from "../worker/db/recall";
import { lexicalRetriever } from "../worker/recall/lexical";
import { client, eventually, type Session, startWorker, unique } from "./worker";

const sql = postgres(inject("databaseUrl"), { max: 2, onnotice: () => {} });
let stack: Stack;
let me: Session;
let ch: { id: string };
const word = unique("marrowvine");
type Row = { id: string; role: string; content: string };
let rows: Row[] = [];
const logs: string[] = [];

beforeAll(async () => {
  stack = await startWorker({ onLog: (line) => logs.push(line) });
  const api = client(stack.url);
  me = await api.register();
  ch = await api.character(me);
  for (let i = 0; i < 8; i++) {
    const content = i === 4 ? `did you ever plant the ${word}? [[long:1]]` : `small talk number ${i} [[long:1]]`;
    expect((await api.say(me, ch.id, content)).status).toBe(200);
  }
  // Greeting + 8 turns, copied to PostgreSQL asynchronously.
  const all = () =>
    sql<Row[]>`select id::text, role, content from chat_messages where user_id = ${me.userId} and active order by id`.then(
      (r) => (rows = r),
    );
  expect(await eventually(async () => (await all()).length === 17)).toBe(true);
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await sql.end();
});

describe("recall from PostgreSQL", () => {
  const index = () => recallIndexPg(sql, { userId: me.userId, characterId: ch.id, chat: "main" });

  it("reads a turn with the two turns before and after it, nearest first", async () => {
    const at = rows.findIndex((r) => r.content.includes(word));
    const [turn] = await index().turns([rows[at].id], 2);
    expect(turn.id).toBe(rows[at].id);
    const near = turn.near?.map((n) => [n.offset, n.turn.id]);
    expect(near).toEqual([
      [-1, rows[at - 1].id],
      [-2, rows[at - 2].id],
      [1, rows[at + 1].id],
      [2, rows[at + 2].id],
    ]);
    // Said the same day, so each neighbour carries the turn's date (and shares in its score).
    expect(turn.near?.every((n) => n.turn.date === turn.date && turn.date !== null)).toBe(true);
    expect((await index().turns([rows[at].id], 0))[0].near).toBeUndefined();
  });

  it("recalls the question that matched and the reply that answers it", async () => {
    const at = rows.findIndex((r) => r.content.includes(word));
    const got = await lexicalRetriever(index()).recall({
      message: { id: "q", role: "user", content: `where is the ${word} now?` },
      context: [],
      before: rows[rows.length - 1].id,
      limit: 10,
    });
    expect(got[0]).toMatchObject({ id: rows[at].id, via: "match" });
    expect(got[1]).toMatchObject({ id: rows[at + 1].id, role: "assistant", via: "near" });
  });
});

describe("the object's own index", () => {
  it("is filled from PostgreSQL when a conversation that outgrows the window opens", async () => {
    // test/budget.test.ts: with recall off, the same history is never indexed.
    const api = client(stack.url);
    const other = await api.register();
    const ch = await api.character(other);
    await seedHistory(sql, { userId: other.userId, characterId: ch.id }, 450);
    expect((await api.say(other, ch.id, "Can we go back to the storm last winter? [[long:2]]")).status).toBe(200);
    const filled = await eventually(async () => logs.some((l) => l.includes("recall_index_filled")));
    expect(filled).toBe(true);
    expect(logs.some((l) => l.includes("recall_index_filling"))).toBe(true);
  }, 30_000);
});

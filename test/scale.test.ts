/**
 * Many conversations at once against a default PostgreSQL (100 connections):
 * each session object holds at most one connection, only while it needs it,
 * and waits for a free slot instead of failing.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Stack } from "../dev/stack";
import { signAccessToken } from "../worker/auth/tokens";
import { newId } from "../worker/ids";
import { AUTH_SECRET, client, eventually, type Session, startWorker, unique } from "./worker";

const CONVERSATIONS = 200;
let stack: Stack;
let api: ReturnType<typeof client>;
const sql = postgres(inject("databaseUrl"), { max: 2, onnotice: () => {} });

beforeAll(async () => {
  stack = await startWorker();
  api = client(stack.url);
});
afterAll(async () => {
  await stack?.close();
  await sql.end();
});

/** Users made directly in PostgreSQL (registering 200 through PBKDF2 would only measure hashing). */
async function users(n: number): Promise<Session[]> {
  const rows = Array.from({ length: n }, () => {
    const id = newId();
    const username = unique("scale");
    return { id, username, email: `${username}@example.test`, password_hash: "unused" };
  });
  await sql`insert into users ${sql(rows, "id", "username", "email", "password_hash")}`;
  return Promise.all(
    rows.map(async (r) => ({ token: await signAccessToken(AUTH_SECRET, r.id), userId: r.id, cookie: "", username: r.username })),
  );
}

describe(`${CONVERSATIONS} conversations at once`, () => {
  it("all answer, and every message reaches PostgreSQL once", async () => {
    const [owner] = await users(1);
    const ch = await api.character(owner, { visibility: "public" });
    const people = await users(CONVERSATIONS);
    const marker = unique("at-once");
    const answers = await Promise.all(people.map((me, i) => api.say(me, ch.id, `${marker} ${i} [[long:3]]`)));
    const failures = answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body.error?.code}`);
    expect(failures).toEqual([]);
    const ids = people.map((p) => p.userId);
    const copied = await eventually(async () => {
      const [{ n }] = await sql`select count(*)::int as n from chat_messages where user_id in ${sql(ids)}`;
      return n >= CONVERSATIONS * 3 ? n : 0;
    }, 60_000);
    // Greeting, question and reply of each conversation, once each.
    expect(copied).toBe(CONVERSATIONS * 3);
    const [{ sessions }] = await sql`select count(*)::int as sessions from chat_sessions where user_id in ${sql(ids)}`;
    expect(sessions).toBe(CONVERSATIONS);
  }, 180_000);
});

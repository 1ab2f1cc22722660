/**
 * Property-based fuzzing of every route (issue 10 item 13), in workerd
 * against real PostgreSQL and Redis: hostile bodies, headers, path and query
 * values, unicode, sizes and nesting, sent by one user who also aims at a
 * victim's private data. For every request: never a 5xx (nor a transport
 * failure), every 4xx in the error table's shape, and a refused request
 * writes nothing (the fuzzing user's rows are the same before and after);
 * the victim's rows never change at all.
 *
 * `npm test` runs a bounded, seeded run; `npm run fuzz` a longer one
 * (FUZZ_RUNS, FUZZ_SEED; a failure prints its seed and the request).
 */
import fc from "fast-check";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Stack } from "../dev/stack";
import { anyRequest, type FuzzRequest, type Targets } from "./fuzz/routes";
import { client, eventually, type Session, startWorker } from "./worker";

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
// npm test: a fixed seed; npm run fuzz: a new one each run (printed), unless FUZZ_SEED names one.
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.FUZZ_RANDOM_SEED ? Date.now() % 2 ** 31 : 20261127;

let worker: Stack;
let sql: postgres.Sql;
let attacker: Session;
let victim: Session;
let targets: Targets;

/** Everything of one user in PostgreSQL, as one comparable value. */
async function footprint(userId: string): Promise<string> {
  // The victim never acts, so every one of its rows counts; see foreign_sessions for the fuzzing user's.
  const rows = await sql`
    select
      (select coalesce(string_agg(username || display_name || persona || password_hash, ','), '') from users where id = ${userId}) as profile,
      (select coalesce(string_agg(id::text || name || description || visibility || updated_at::text, ',' order by id), '') from characters where creator_id = ${userId}) as characters,
      (select coalesce(string_agg(id::text || content || status || active::text, ',' order by id), '') from chat_messages where user_id = ${userId}) as messages,
      (select coalesce(string_agg(id::text || content, ',' order by id), '') from chat_memories where user_id = ${userId}) as memories,
      (select coalesce(string_agg(id::text || name || description, ',' order by id), '') from personas where user_id = ${userId}) as personas,
      -- A conversation's row is registered when its session object first opens (so deleting the account finds it),
      -- for any character the user may use; one with someone else's private character must never exist.
      (select count(*) from chat_sessions s join characters c on c.id = s.character_id
        where s.user_id = ${userId} and c.visibility = 'private' and c.creator_id <> ${userId})::int as foreign_sessions,
      (select count(*) from refresh_tokens where user_id = ${userId} and revoked_at is null)::int as live_refresh_tokens`;
  return JSON.stringify(rows[0]);
}

/** Waits until the user's rows stop changing (a session object's outbox copies after answering). */
async function settled(userId: string): Promise<string> {
  let last = await footprint(userId);
  await eventually(async () => {
    await new Promise((r) => setTimeout(r, 300));
    const now = await footprint(userId);
    const same = now === last;
    last = now;
    return same;
  }, 10_000);
  return last;
}

/**
 * Sends `r`; a 503 database_unavailable (PostgreSQL out of connections: this
 * machine's server is shared with other runs) is the service being right
 * about its database, not about the input, so the same request is sent
 * again after the wait it names, three times at most.
 */
async function send(r: FuzzRequest): Promise<{ status: number; type: string; text: string }> {
  for (let attempt = 1; ; attempt++) {
    const res = await sendOnce(r);
    if (res.status !== 503 || attempt >= 4 || !res.text.includes('"database_unavailable"')) return res;
    await new Promise((done) => setTimeout(done, 2000));
  }
}

async function sendOnce(r: FuzzRequest): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(worker.url + r.path, {
    method: r.method,
    headers: r.headers,
    body: r.method === "GET" || r.body === undefined ? undefined : typeof r.body === "string" ? r.body : new Blob([Buffer.from(r.body)]),
    signal: AbortSignal.timeout(30_000),
  });
  const type = res.headers.get("content-type") ?? "";
  // A live stream never ends by itself: its first events are enough.
  if (res.ok && r.path.includes("/live")) {
    await res.body?.cancel();
    return { status: res.status, type, text: "" };
  }
  return { status: res.status, type, text: await res.text() };
}

beforeAll(async () => {
  worker = await startWorker();
  sql = postgres(inject("databaseUrl"), { max: 2, onnotice: () => {} });
  const api = client(worker.url);
  [attacker, victim] = await Promise.all([api.register(), api.register()]);
  const [own, secret, shown] = await Promise.all([
    api.character(attacker),
    api.character(victim, { visibility: "private" }),
    api.character(victim, { visibility: "public" }),
  ]);
  const mine = await api.say(attacker, own.id, "the fuzzing user's own turn");
  const theirs = await api.say(victim, secret.id, "the victim's private words");
  const pin = await api.call(`/api/chats/${secret.id}/memories`, { method: "POST", as: victim, json: { content: "the victim's memory" } });
  const victimMemory = ((await pin.json()) as { memory: { id: string } }).memory.id;
  // The victim's token with its signature's first character changed: the last one carries two padding
  // bits, so swapping A for B there can leave the signature's bytes the same (a valid token, 1 run in 16).
  const dot = victim.token.lastIndexOf(".") + 1;
  const forged = victim.token.slice(0, dot) + (victim.token[dot] === "A" ? "B" : "A") + victim.token.slice(dot + 1);
  const refuse = [forged, "garbage", `${attacker.token}x`];
  targets = {
    characterIds: [own.id, secret.id, shown.id],
    messageIds: [mine.body.userMessage.id, mine.body.reply.id, theirs.body.userMessage.id, theirs.body.reply.id],
    memoryIds: [victimMemory],
    token: `Bearer ${attacker.token}`,
    badTokens: refuse.map((t) => `Bearer ${t}`).concat(["Basic YTpi", "Bearer", `bearer  ${victim.token}.`]),
  };
  await Promise.all([settled(attacker.userId), settled(victim.userId)]);
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await worker?.close();
});

describe("fuzzing every route", () => {
  it(`${RUNS} hostile requests (seed ${SEED}): no 5xx, the error shape on every 4xx, nothing written when refused`, async () => {
    const victimBefore = await footprint(victim.userId);
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(anyRequest(targets), async (r) => {
        const before = await footprint(attacker.userId);
        const res = await send(r);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        const what = `${res.status} ${r.method} ${r.path} ${res.text.slice(0, 300)}`;
        expect(res.status, what).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.type, what).toContain("application/json");
          const body = JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
          expect(body.error?.code, what).toMatch(/^[a-z_]+$/);
          expect(typeof body.error?.message, what).toBe("string");
          expect(typeof body.error?.requestId, what).toBe("string");
          expect(await footprint(attacker.userId), `${what}: a refused request changed the user's rows`).toBe(before);
        } else if (r.path.startsWith("/api/chats") || r.path.startsWith("/api/chat")) {
          await settled(attacker.userId);
        }
        expect(await footprint(victim.userId), `${what}: the victim's rows changed`).toBe(victimBefore);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true, verbose: 1 },
    );
    console.info(`fuzz: ${RUNS} requests, seed ${SEED}, statuses ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
  }, 600_000);
});

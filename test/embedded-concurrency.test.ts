/**
 * The embedded default (`npm start` with nothing configured: PGlite over the
 * wire protocol, no Redis) under concurrency: 50 conversations at once all
 * succeed, and each history, in the session objects and in PostgreSQL, holds
 * only its own messages (issue 10 item 3).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../dev/embedded-postgres";
import { migrateDatabase } from "../dev/migrate";
import type { Stack } from "../dev/stack";
import { client, eventually, type Session, startWorker, unique } from "./worker";

const CHATS = 50;
const dataDir = mkdtempSync(join(tmpdir(), "chat-embedded-"));
let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
let worker: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  pg = await startEmbeddedPostgres(dataDir);
  await migrateDatabase(pg.url);
  worker = await startWorker({ databaseUrl: pg.url, redisUrl: undefined });
  api = client(worker.url);
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await pg?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("embedded PostgreSQL at any concurrency", () => {
  it(`${CHATS} parallel conversations all succeed, each history only its own`, async () => {
    const people: { me: Session; characterId: string; canary: string }[] = await Promise.all(
      Array.from({ length: CHATS }, async () => {
        const me = await api.register();
        const characterId = (await api.character(me)).id;
        return { me, characterId, canary: unique("canary") };
      }),
    );
    const results = await Promise.all(
      people.map(async (p) => {
        const statuses: number[] = [];
        for (const turn of [1, 2]) statuses.push((await api.say(p.me, p.characterId, `${p.canary} turn ${turn}`)).status);
        const res = await api.call(`/api/chats/${p.characterId}/messages`, { as: p.me });
        const history = (await res.json()) as { messages: { role: string; content: string }[] };
        return { statuses, historyStatus: res.status, history: history.messages ?? [] };
      }),
    );
    const failures = results.flatMap((r, i) =>
      r.statuses.some((s) => s !== 200) || r.historyStatus !== 200 ? [`${i}: ${r.statuses} ${r.historyStatus}`] : [],
    );
    expect(failures).toEqual([]);
    results.forEach((r, i) => {
      const own = people[i].canary;
      const userTexts = r.history.filter((m) => m.role === "user").map((m) => m.content);
      expect(userTexts).toEqual([`${own} turn 1`, `${own} turn 2`]);
      for (const m of r.history) for (const other of people) if (other.canary !== own) expect(m.content).not.toContain(other.canary);
    });

    // And in PostgreSQL, once the outboxes have drained: every row of a pair is that pair's.
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await eventually(async () => {
        const r = await sql<{ user_id: string; content: string }[]>`select user_id, content from chat_messages where role = 'user'`;
        return r.length >= CHATS * 2 ? r : null;
      }, 60_000);
      expect(rows).toHaveLength(CHATS * 2);
      const byUser = new Map(people.map((p) => [p.me.userId, p.canary]));
      for (const row of rows ?? []) expect(row.content.startsWith(byUser.get(row.user_id) ?? "?")).toBe(true);
    } finally {
      await sql.end();
    }
  }, 300_000);
});

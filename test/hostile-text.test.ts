/**
 * Text PostgreSQL cannot store (U+0000, unpaired surrogates) and JSON nested
 * too deep are refused at the boundary with 400 invalid_input naming the
 * field, on every route that takes text; nothing is written, and the
 * conversation keeps reaching PostgreSQL afterwards (issue 10 items 1, 12).
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, eventually, type Session, startWorker, unique } from "./worker";

let worker: Stack;
let api: ReturnType<typeof client>;
let sql: postgres.Sql;
let me: Session;
let characterId: string;
let userMessageId: string;
let replyId: string;
let memoryId: string;
let personaId: string;

beforeAll(async () => {
  worker = await startWorker();
  api = client(worker.url);
  sql = postgres(inject("databaseUrl"), { max: 2, onnotice: () => {} });
  me = await api.register();
  characterId = (await api.character(me)).id;
  const turn = await api.say(me, characterId, "first words");
  expect(turn.status).toBe(200);
  userMessageId = turn.body.userMessage.id;
  replyId = turn.body.reply.id;
  const persona = await api.call("/api/me/personas", { method: "POST", as: me, json: { name: "Traveller", description: "From afar." } });
  personaId = ((await persona.json()) as { persona: { id: string } }).persona.id;
  const pinned = await api.call(`/api/chats/${characterId}/memories`, { method: "POST", as: me, json: { content: "a pinned fact" } });
  memoryId = ((await pinned.json()) as { memory: { id: string } }).memory.id;
  // The outbox copies these to PostgreSQL after answering; wait, so the footprints below compare a settled state.
  await eventually(async () => {
    const f = await footprint(me.userId);
    return f.messages === 2 && f.memories === 1;
  }, 20_000);
});

afterAll(async () => {
  await sql?.end();
  await worker?.close();
});

/** Every row this user has anywhere, to compare before and after a refused request. */
async function footprint(userId: string) {
  const [row] = await sql`
    select
      (select count(*) from users where id = ${userId})::int as users,
      (select string_agg(display_name || '|' || persona || '|' || password_hash, ',') from users where id = ${userId}) as profile,
      (select count(*) from characters where creator_id = ${userId})::int as characters,
      (select string_agg(name || description, ',' order by id) from characters where creator_id = ${userId}) as character_text,
      (select count(*) from chat_messages where user_id = ${userId})::int as messages,
      (select string_agg(content, ',' order by id) from chat_messages where user_id = ${userId}) as message_text,
      (select string_agg(name || '|' || description, ',' order by id) from personas where user_id = ${userId}) as personas,
      (select count(*) from chat_memories where user_id = ${userId})::int as memories,
      (select string_agg(content, ',' order by id) from chat_memories where user_id = ${userId}) as memory_text,
      (select count(*) from refresh_tokens where user_id = ${userId})::int as refresh_tokens`;
  return row;
}

const BAD = [
  ["NUL", "a \u0000 b", /U\+0000/],
  ["a lone high surrogate", "broken \ud83d here", /surrogate/],
  ["a lone low surrogate", "\ude00 at the start", /surrogate/],
] as const;

type Case = {
  route: string;
  method: string;
  path: () => string;
  field: string;
  body: (bad: string) => Record<string, unknown>;
  anon?: boolean;
};

const fresh = () => {
  const n = unique();
  return { username: n, email: `${n}@example.test`, password: "correct horse battery" };
};

const CASES: Case[] = [
  ...(["username", "email", "password"] as const).map(
    (field): Case => ({
      route: "register",
      method: "POST",
      path: () => "/api/auth/register",
      field,
      anon: true,
      body: (bad) => ({ ...fresh(), [field]: field === "email" ? `x${bad}@example.test` : `${field}${bad}xyz` }),
    }),
  ),
  ...(["login", "password"] as const).map(
    (field): Case => ({
      route: "login",
      method: "POST",
      path: () => "/api/auth/login",
      field,
      anon: true,
      body: (bad) => ({ login: me.username, password: "correct horse battery", [field]: `${field}${bad}` }),
    }),
  ),
  ...(["displayName", "persona"] as const).map(
    (field): Case => ({ route: "profile", method: "PATCH", path: () => "/api/me", field, body: (bad) => ({ [field]: bad }) }),
  ),
  ...(["currentPassword", "newPassword"] as const).map(
    (field): Case => ({
      route: "password",
      method: "POST",
      path: () => "/api/me/password",
      field,
      body: (bad) => ({ currentPassword: "correct horse battery", newPassword: "a new passphrase", [field]: `long enough ${bad}` }),
    }),
  ),
  ...(["name", "tagline", "description", "greeting", "scenario", "exampleDialogues"] as const).flatMap((field): Case[] => [
    {
      route: "create character",
      method: "POST",
      path: () => "/api/characters",
      field,
      body: (bad) => ({ name: "Named", description: "d", greeting: "g", [field]: `text ${bad}` }),
    },
    {
      route: "edit character",
      method: "PATCH",
      path: () => `/api/characters/${characterId}`,
      field,
      body: (bad) => ({ [field]: `text ${bad}` }),
    },
  ]),
  { route: "send", method: "POST", path: () => `/api/chats/${characterId}/messages`, field: "content", body: (bad) => ({ content: bad }) },
  {
    route: "send",
    method: "POST",
    path: () => `/api/chats/${characterId}/messages`,
    field: "clientMessageId",
    body: (bad) => ({ content: "fine", clientMessageId: `id${bad}` }),
  },
  {
    route: "edit",
    method: "POST",
    path: () => `/api/chats/${characterId}/messages/${userMessageId}/edit`,
    field: "content",
    body: (bad) => ({ content: bad }),
  },
  { route: "pin", method: "POST", path: () => `/api/chats/${characterId}/memories`, field: "content", body: (bad) => ({ content: bad }) },
  {
    route: "memory edit",
    method: "PATCH",
    path: () => `/api/chats/${characterId}/memories/${memoryId}`,
    field: "content",
    body: (bad) => ({ content: bad }),
  },
  { route: "seed chat", method: "POST", path: () => "/api/chat", field: "message", body: (bad) => ({ characterId, message: bad }) },
  {
    route: "reply edit",
    method: "PATCH",
    path: () => `/api/chats/${characterId}/messages/${replyId}`,
    field: "content",
    body: (bad) => ({ content: bad }),
  },
  ...(["name", "description"] as const).flatMap((field): Case[] => [
    { route: "new persona", method: "POST", path: () => "/api/me/personas", field, body: (bad) => ({ name: "P", [field]: `text ${bad}` }) },
    {
      route: "persona edit",
      method: "PATCH",
      path: () => `/api/me/personas/${personaId}`,
      field,
      body: (bad) => ({ [field]: `text ${bad}` }),
    },
  ]),
];

describe("text that cannot be stored", () => {
  for (const [label, bad, message] of BAD) {
    it.each(CASES.map((c) => [c.route, c.field, c]))(
      `${label} in %s %s → 400 invalid_input naming the field, nothing written`,
      async (_r, _f, c) => {
        const before = await footprint(me.userId);
        const res = await api.call(c.path(), {
          method: c.method,
          ...(c.anon ? {} : { as: me }),
          json: c.body(bad),
          headers: { accept: "application/json" },
        });
        const body = (await res.json()) as { error: { code: string; field?: string; message: string } };
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(body.error).toMatchObject({ code: "invalid_input", field: c.field });
        expect(body.error.message).toMatch(message);
        expect(await footprint(me.userId)).toEqual(before);
      },
    );
  }

  it.each(["/api/characters", "/api/search"])("NUL in the search q of %s → 400 naming q", async (path) => {
    const res = await api.call(`${path}?q=${encodeURIComponent("find \u0000 me")}`, { as: me });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe("q");
  });

  it("a key holding NUL in an unknown field of a body is refused too", async () => {
    const res = await api.call("/api/characters", { method: "POST", as: me, json: { name: "Keyed", "x\u0000y": 1 } });
    expect(res.status).toBe(400);
  });

  it("invalid UTF-8 bytes in a body are read as U+FFFD, never a 5xx", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"name":"Bytes '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('","visibility":"private"}'),
    ]);
    const res = await api.call("/api/characters", { method: "POST", as: me, body: bytes, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { character: { name: string } }).character.name).toContain("\ufffd");
  });

  it("after a refused message the conversation still reaches PostgreSQL", async () => {
    const refused = await api.say(me, characterId, "wedge \u0000 attempt");
    expect(refused.status).toBe(400);
    const marker = unique("after");
    expect((await api.say(me, characterId, `${marker} arrives`)).status).toBe(200);
    const rows = await eventually(async () => {
      const r = await sql`select content from chat_messages where user_id = ${me.userId} and content like ${`${marker}%`}`;
      return r.length ? r : null;
    }, 20_000);
    expect(rows).toHaveLength(1);
  });
});

describe("JSON nested too deep (issue 10 item 12)", () => {
  const deep = (depth: number) => JSON.parse(`${"[".repeat(depth)}1${"]".repeat(depth)}`) as unknown;

  it("a card whose extensions nest 15,000 deep → 400, nothing written", async () => {
    const before = await footprint(me.userId);
    const nested = `${"[".repeat(15_000)}1${"]".repeat(15_000)}`;
    const card = `{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Deep","description":"d","first_mes":"hi","extensions":{"x":${nested}}}}`;
    const res = await api.call("/api/characters/import", {
      method: "POST",
      as: me,
      body: card,
      headers: { "content-type": "application/json" },
    });
    expect(res.status, await res.clone().text()).toBe(400);
    expect(await footprint(me.userId)).toEqual(before);
  });

  it("any JSON body nested more than 32 deep → 400 invalid_input before its schema", async () => {
    for (const path of ["/api/characters", "/api/auth/login", `/api/chats/${characterId}/memories`]) {
      const res = await api.call(path, { method: "POST", as: me, json: { name: "x", payload: deep(40) } });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, path).toBe(400);
      expect(body.error.code).toBe("invalid_input");
      expect(body.error.message).toMatch(/nested more than 32/);
    }
  });
});

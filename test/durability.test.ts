/**
 * Nothing lost: history outlives the session object's storage (it comes
 * back from PostgreSQL), and turns taken while PostgreSQL is down are all
 * copied there, once, when it returns.
 */
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { seedHistory } from "../bench/seed";
import { startPgProxy } from "./pg-proxy";
import { client, eventually, promptsWith, startWorker, unique } from "./worker";

const sql = postgres(inject("databaseUrl"), { max: 2, onnotice: () => {} });
afterAll(() => sql.end());

const countFor = async (userId: string) => Number((await sql`select count(*)::int as n from chat_messages where user_id = ${userId}`)[0].n);

describe("a restart", () => {
  it("rebuilds the conversation from PostgreSQL when the object's storage is gone", async () => {
    const first = await startWorker();
    let api = client(first.url);
    const me = await api.register();
    const ch = await api.character(me);
    const canary = unique("harbour");
    expect((await api.say(me, ch.id, `The ship is called ${canary}.`)).status).toBe(200);
    // The copy to PostgreSQL is asynchronous: wait for greeting + turn.
    expect(await eventually(async () => (await countFor(me.userId)) === 3)).toBe(true);
    await first.close();

    // A new runtime with empty session-object storage, same PostgreSQL.
    const second = await startWorker();
    try {
      api = client(second.url);
      const marker = unique("ask");
      expect((await api.say(me, ch.id, `What is the ship called? ${marker}`)).status).toBe(200);
      const [prompt] = await promptsWith(marker);
      expect(JSON.stringify(prompt.messages)).toContain(canary);
      const res = await api.call(`/api/chats/${ch.id}/messages`, { as: me });
      const { messages } = (await res.json()) as { messages: { content: string; role: string }[] };
      expect(messages.map((m) => m.role)).toEqual(["assistant", "user", "assistant", "user", "assistant"]);
      expect(messages[1].content).toContain(canary);
    } finally {
      await second.close();
    }
  });
});

describe("a turn whose reply fails before any text", () => {
  it("copies its user message to PostgreSQL as soon as a replied turn, well before the 30 s backstop", async () => {
    const stack = await startWorker();
    try {
      const api = client(stack.url);
      const me = await api.register();
      const ch = await api.character(me);
      expect((await api.say(me, ch.id, "hello")).status).toBe(200);
      expect(await eventually(async () => (await countFor(me.userId)) === 3)).toBe(true);
      expect((await api.say(me, ch.id, "boom [[fail:500]]")).status).toBe(502);
      expect(await eventually(async () => (await countFor(me.userId)) === 4)).toBe(true);
      const [last] = await sql`select content from chat_messages where user_id = ${me.userId} order by id desc limit 1`;
      expect(last.content).toBe("boom [[fail:500]]");
    } finally {
      await stack.close();
    }
  });
});

describe("scrolling back through a history longer than the object holds", () => {
  it("pages every message once, oldest last, from the object and then from PostgreSQL", async () => {
    const stack = await startWorker();
    try {
      const api = client(stack.url);
      const me = await api.register();
      const ch = await api.character(me);
      await seedHistory(sql, { userId: me.userId, characterId: ch.id }, 450);
      const seeded = (await sql`select id from chat_messages where user_id = ${me.userId} order by id`).map((r) => String(r.id));
      const seen: string[] = [];
      let before: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const res = await api.call(`/api/chats/${ch.id}/messages?limit=60${before ? `&before=${before}` : ""}`, { as: me });
        expect(res.status).toBe(200);
        const page = (await res.json()) as { messages: { id: string }[]; nextBefore: string | null };
        seen.unshift(...page.messages.map((m) => m.id));
        before = page.nextBefore;
        if (!before) break;
      }
      // The object holds the newest 400; the oldest 50 come from PostgreSQL, and no page repeats or skips one.
      expect(seen).toEqual(seeded);
    } finally {
      await stack.close();
    }
  }, 30_000);
});

describe("controls on history that lives only in PostgreSQL", () => {
  it("rewinds to, and deletes, messages the rebuilt object holds only from PostgreSQL", async () => {
    const first = await startWorker();
    let api = client(first.url);
    const me = await api.register();
    const ch = await api.character(me);
    const one = await api.say(me, ch.id, "one");
    const two = await api.say(me, ch.id, "two");
    await api.say(me, ch.id, "three");
    expect(await eventually(async () => (await countFor(me.userId)) === 7)).toBe(true);
    await first.close();

    const second = await startWorker();
    try {
      api = client(second.url);
      const page = async () =>
        ((await (await api.call(`/api/chats/${ch.id}/messages`, { as: me })).json()) as { messages: { id: string; content: string }[] })
          .messages;
      expect((await page()).length).toBe(7);
      const rewound = await api.call(`/api/chats/${ch.id}/rewind`, { method: "POST", as: me, json: { messageId: two.body.reply.id } });
      expect(rewound.status).toBe(200);
      expect((await page()).map((m) => m.content)).not.toContain("three");
      const del = await api.call(`/api/chats/${ch.id}/messages/${one.body.userMessage.id}`, { method: "DELETE", as: me });
      expect(del.status).toBe(204);
      const left = (await page()).map((m) => m.id);
      expect(left).not.toContain(one.body.userMessage.id);
      expect(left).not.toContain(one.body.reply.id);
      expect(left).toContain(two.body.userMessage.id);
    } finally {
      await second.close();
    }
  });
});

describe("recall after a restart", () => {
  it("finds an old turn from PostgreSQL, then from the object's rebuilt index", async () => {
    const env = { LLM_CONTEXT_TOKENS: "300", LLM_MAX_REPLY_TOKENS: "48" };
    const first = await startWorker({ env });
    let api = client(first.url);
    const me = await api.register();
    const ch = await api.character(me);
    const word = unique("quillfern");
    for (let i = 0; i < 25; i++) {
      const content = i === 2 ? `my compass is named ${word} [[long:3]]` : `filler turn ${i} about tides [[long:3]]`;
      expect((await api.say(me, ch.id, content)).status).toBe(200);
    }
    expect(await eventually(async () => (await countFor(me.userId)) === 51)).toBe(true);
    await first.close();

    const second = await startWorker({ env });
    try {
      api = client(second.url);
      for (const attempt of [1, 2]) {
        const marker = unique(`ask${attempt}`);
        expect((await api.say(me, ch.id, `${marker} what is ${word}? [[long:3]]`)).status).toBe(200);
        const [prompt] = await promptsWith(marker);
        expect(prompt.messages[0].content, `attempt ${attempt}`).toContain(`my compass is named ${word}`);
        await new Promise((r) => setTimeout(r, 1000)); // the index fills in the background meanwhile
      }
    } finally {
      await second.close();
    }
  }, 60_000);
});

describe("a PostgreSQL outage", () => {
  it("acknowledges turns while it is down and copies every one exactly once when it is back", async () => {
    const proxy = await startPgProxy(new URL(inject("databaseUrl")));
    const stack = await startWorker({ databaseUrl: proxy.url });
    try {
      const api = client(stack.url);
      const me = await api.register();
      const ch = await api.character(me);
      expect((await api.say(me, ch.id, "before the outage")).status).toBe(200);
      expect(await eventually(async () => (await countFor(me.userId)) === 3)).toBe(true);

      await proxy.down();
      const acknowledged: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await api.say(me, ch.id, `during the outage ${i}`, `outage-${i}`);
        expect(r.status).toBe(200);
        acknowledged.push(r.body.userMessage.id, r.body.reply.id);
      }
      // What needs PostgreSQL itself says so, with a 503 rather than a 500.
      const me503 = await api.call("/api/me", { as: me });
      expect(me503.status).toBe(503);
      expect(((await me503.json()) as { error: { code: string } }).error.code).toBe("database_unavailable");
      // Still down: nothing of it reached PostgreSQL, and the history is whole from the object.
      expect(await countFor(me.userId)).toBe(3);
      const during = (await (await api.call(`/api/chats/${ch.id}/messages?limit=100`, { as: me })).json()) as {
        messages: { id: string }[];
      };
      expect(during.messages).toHaveLength(15);

      await proxy.up();
      expect(await eventually(async () => (await countFor(me.userId)) === 15, 25_000)).toBe(true);
      const rows = await sql`select id, client_message_id from chat_messages where user_id = ${me.userId}`;
      const ids = rows.map((r) => r.id as string);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of acknowledged) expect(ids).toContain(id);
      const clientIds = rows.map((r) => r.client_message_id).filter(Boolean);
      expect(new Set(clientIds).size).toBe(clientIds.length);
    } finally {
      await stack.close();
      await proxy.down();
    }
  }, 60_000);
});

/**
 * A crash mid-reply (kill -9 of the whole service) loses at most the last
 * moment of the reply: after a restart, history, resume and a retried send
 * all show the same interrupted reply with what had been written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { launch } from "./launcher";
import { AUTH_SECRET, client, parseSse, promptsWith, unique } from "./worker";

const dataDir = mkdtempSync(join(tmpdir(), "chat-crash-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const serve = (env: Record<string, string> = {}) =>
  launch({
    DATA_DIR: dataDir,
    DATABASE_URL: inject("databaseUrl"),
    REDIS_URL: inject("redisUrl"),
    LLM_BASE_URL: inject("llmBaseUrl"),
    LLM_MODEL: "development",
    AUTH_SECRET,
    ...env,
  });

/** Reads SSE events from a streaming response until `enough` says stop. */
async function readUntil(res: Response, enough: (events: ReturnType<typeof parseSse>) => boolean) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const complete = text.slice(0, text.lastIndexOf("\n\n") + 2);
    if (enough(parseSse(complete))) return parseSse(complete);
  }
  return parseSse(text);
}

describe("a crash while a reply streams", () => {
  it("keeps the partial reply as interrupted, and history, resume and retry agree on it", async () => {
    const first = await serve();
    const api = client(first.url);
    const me = await api.register(unique());
    const ch = await api.character(me);
    const clientMessageId = unique("cm");
    const res = await api.call(`/api/chats/${ch.id}/messages`, {
      method: "POST",
      as: me,
      headers: { accept: "text/event-stream" },
      json: { content: "[[long:600]] [[gap:15]] tell me a long story", clientMessageId },
    });
    const seen = await readUntil(res, (events) => events.filter((e) => e.event === "token").length >= 40);
    await first.kill();
    const streamed = seen
      .filter((e) => e.event === "token")
      .map((e) => e.data.text)
      .join("");
    const lastEventId = seen.at(-1)!.id!;

    const second = await serve();
    try {
      const again = client(second.url);
      const page = (await (await again.call(`/api/chats/${ch.id}/messages`, { as: me })).json()) as {
        messages: { id: string; role: string; status: string; content: string }[];
      };
      const reply = page.messages.at(-1)!;
      expect(page.messages.at(-2)).toMatchObject({ role: "user", content: "[[long:600]] [[gap:15]] tell me a long story" });
      expect(reply).toMatchObject({ role: "assistant", status: "interrupted" });
      // At most a few dozen tokens behind what the client had seen, and never more than it.
      expect(streamed.startsWith(reply.content)).toBe(true);
      expect(reply.content.split(" ").length).toBeGreaterThanOrEqual(32);

      const resumed = parseSse(
        await (await again.call(`/api/chats/${ch.id}/stream`, { as: me, headers: { "last-event-id": lastEventId } })).text(),
      );
      expect(resumed.map((e) => e.event)).toEqual(["done"]);
      expect(resumed[0].data.message).toMatchObject({ id: reply.id, status: "interrupted", content: reply.content });

      const retried = await again.say(me, ch.id, "[[long:600]] [[gap:15]] tell me a long story", clientMessageId);
      expect(retried.status).toBe(200);
      expect(retried.body.reply).toMatchObject({ id: reply.id, status: "interrupted", content: reply.content });
    } finally {
      await second.stop();
    }
  }, 240_000);
});

describe("a crash while a reply streams, in a conversation past its window", () => {
  it("still lets recall find the user message of the interrupted turn", async () => {
    // A user message reaches the recall index once its reply is written; a restart indexes one whose turn died.
    const small = { LLM_CONTEXT_TOKENS: "600", LLM_MAX_REPLY_TOKENS: "64" };
    const run = unique("run");
    const word = unique("quillfern");
    const quick = "[[long:4]] [[gap:0]]";
    const first = await serve(small);
    const api = client(first.url);
    const me = await api.register(unique());
    const ch = await api.character(me);
    const say = async (a: ReturnType<typeof client>, content: string) => expect((await a.say(me, ch.id, content)).status).toBe(200);
    try {
      for (let i = 0; i < 30; i++) await say(api, `${run} before ${i}: the tide is out ${quick}`);
      const res = await api.call(`/api/chats/${ch.id}/messages`, {
        method: "POST",
        as: me,
        headers: { accept: "text/event-stream" },
        json: { content: `I hid the ${word} under the stairs [[long:600]] [[gap:30]]` },
      });
      await readUntil(res, (events) => events.filter((e) => e.event === "token").length >= 5);
    } finally {
      await first.kill();
    }

    const second = await serve(small);
    try {
      const again = client(second.url);
      for (let i = 0; i < 40; i++) await say(again, `${run} after ${i}: the tide is in ${quick}`);
      const ask = unique("ask");
      await say(again, `${ask} where did I hide the ${word}? ${quick}`);
      const { messages } = (await promptsWith(ask)).at(-1)!;
      const hid = `I hid the ${word} under the stairs`;
      // Out of the recent turns, and in the prompt through recall.
      expect(messages.filter((m) => m.role !== "system").some((m) => m.content.includes(hid))).toBe(false);
      expect(messages.some((m) => m.role === "system" && m.content.includes(hid))).toBe(true);
    } finally {
      await second.stop();
    }
  }, 240_000);
});

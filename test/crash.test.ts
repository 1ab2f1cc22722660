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
import { AUTH_SECRET, client, parseSse, unique } from "./worker";

const dataDir = mkdtempSync(join(tmpdir(), "chat-crash-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const serve = () =>
  launch({
    DATA_DIR: dataDir,
    DATABASE_URL: inject("databaseUrl"),
    REDIS_URL: inject("redisUrl"),
    LLM_BASE_URL: inject("llmBaseUrl"),
    LLM_MODEL: "development",
    AUTH_SECRET,
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

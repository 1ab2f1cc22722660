/**
 * Conversation controls through the API: regenerate and swipe, edit,
 * memories by hand, and resuming a reply from another connection.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, parseSse, promptsWith, type Session, startWorker, unique } from "./worker";

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await startWorker();
  api = client(stack.url);
});
afterAll(() => stack?.close());

type Msg = { id: string; role: string; content: string; status: string; alternatives?: { id: string; content: string }[] };
async function history(as: Session, characterId: string): Promise<Msg[]> {
  return ((await (await api.call(`/api/chats/${characterId}/messages`, { as })).json()) as { messages: Msg[] }).messages;
}
const json = { accept: "application/json" };

describe("regenerate and swipe", () => {
  it("keeps the earlier reply as an alternative and lets the user choose which counts", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const first = await api.say(me, ch.id, "tell me a story");
    const regen = await api.call(`/api/chats/${ch.id}/regenerate`, { method: "POST", as: me, headers: json });
    expect(regen.status).toBe(200);
    const second = ((await regen.json()) as { reply: Msg }).reply;
    expect(second.id).not.toBe(first.body.reply.id);
    let msgs = await history(me, ch.id);
    expect(msgs).toHaveLength(3);
    expect(msgs[2].id).toBe(second.id);
    expect(msgs[2].alternatives?.map((a) => a.id)).toEqual([first.body.reply.id]);

    // A client that reloads and resumes is told about the versions too.
    const resumed = parseSse(await (await api.call(`/api/chats/${ch.id}/stream`, { as: me })).text());
    expect(resumed.at(-1)!.data.message.alternatives?.map((a: { id: string }) => a.id)).toEqual([first.body.reply.id]);
    expect(second.alternatives?.map((a) => a.id)).toEqual([first.body.reply.id]);

    const choose = await api.call(`/api/chats/${ch.id}/messages/${first.body.reply.id}/choose`, { method: "POST", as: me });
    expect(choose.status).toBe(200);
    msgs = await history(me, ch.id);
    expect(msgs[2].id).toBe(first.body.reply.id);
    // The chosen one is the history the next prompt sees.
    const marker = unique("next");
    await api.say(me, ch.id, marker);
    const [prompt] = await promptsWith(marker);
    expect(prompt.messages.map((m) => m.content)).toContain(first.body.reply.content);
    expect(prompt.messages.filter((m) => m.role === "assistant")).toHaveLength(2);
  });

  it("refuses to regenerate an empty conversation, and needs a token", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    expect((await api.call(`/api/chats/${ch.id}/regenerate`, { method: "POST", as: me, headers: json })).status).toBe(409);
    expect((await api.call(`/api/chats/${ch.id}/regenerate`, { method: "POST", headers: json })).status).toBe(401);
  });
});

describe("edit", () => {
  it("replaces a user message and writes a fresh reply from there", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const a = await api.say(me, ch.id, "my name is Ann");
    await api.say(me, ch.id, "and I like tea");
    const edited = await api.call(`/api/chats/${ch.id}/messages/${a.body.userMessage.id}/edit`, {
      method: "POST",
      as: me,
      headers: json,
      json: { content: "my name is Bea" },
    });
    expect(edited.status).toBe(200);
    const msgs = await history(me, ch.id);
    expect(msgs.map((m) => m.content.slice(0, 40))).toEqual([
      "Hello there!",
      "my name is Bea",
      expect.stringContaining("[development model]"),
    ]);
    expect(JSON.stringify(msgs)).not.toContain("tea");
    const bad = await api.call(`/api/chats/${ch.id}/messages/${a.body.reply.id}/edit`, {
      method: "POST",
      as: me,
      headers: json,
      json: { content: "x" },
    });
    expect(bad.status).toBe(404);
    const empty = await api.call(`/api/chats/${ch.id}/messages/${msgs[1].id}/edit`, {
      method: "POST",
      as: me,
      headers: json,
      json: { content: "" },
    });
    expect(empty.status).toBe(400);
  });
});

describe("memories", () => {
  it("are listed, added, pinned from a message, edited and deleted, and go into the prompt", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const base = `/api/chats/${ch.id}/memories`;
    const turn = await api.say(me, ch.id, "my dog is called Rex");
    const byText = await api.call(base, { method: "POST", as: me, json: { content: "Allergic to cats" } });
    expect(byText.status).toBe(201);
    const byMessage = await api.call(base, { method: "POST", as: me, json: { messageId: turn.body.userMessage.id } });
    expect(byMessage.status).toBe(201);
    const pinned = ((await byMessage.json()) as { memory: { id: string; content: string; sourceMessageId: string } }).memory;
    expect(pinned).toMatchObject({ content: "my dog is called Rex", sourceMessageId: turn.body.userMessage.id });
    const memory = ((await byText.json()) as { memory: { id: string } }).memory;
    const patched = await api.call(`${base}/${memory.id}`, { method: "PATCH", as: me, json: { content: "Allergic to cats and dust" } });
    expect(patched.status).toBe(200);

    const marker = unique("mem");
    await api.say(me, ch.id, marker);
    const [prompt] = await promptsWith(marker);
    expect(prompt.messages[0].content).toContain("Allergic to cats and dust");

    expect((await api.call(`${base}/${memory.id}`, { method: "DELETE", as: me })).status).toBe(204);
    const list = (await (await api.call(base, { as: me })).json()) as { memories: { id: string }[] };
    expect(list.memories.map((m) => m.id)).toEqual([pinned.id]);
    expect((await api.call(`${base}/${memory.id}`, { method: "DELETE", as: me })).status).toBe(404);
    expect((await api.call(base, { method: "POST", as: me, json: { content: "" } })).status).toBe(400);
    expect((await api.call(base)).status).toBe(401);
    // Someone else may not even open a conversation with this private character.
    const stranger = await api.register();
    expect((await api.call(base, { as: stranger })).status).toBe(404);
  });
});

describe("resume", () => {
  it("gives a reconnecting client every token exactly once, and a second tab sees the reply being written", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const ctrl = new AbortController();
    const res = await api.call(`/api/chats/${ch.id}/messages`, {
      method: "POST",
      as: me,
      headers: { accept: "text/event-stream" },
      json: { content: "[[long:80]] [[gap:15]] go" },
      signal: ctrl.signal,
    });
    const reader = res.body!.getReader();
    let seen = "";
    while (parseSse(seen).filter((e) => e.event === "token").length < 5) seen += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    const complete = seen.slice(0, seen.lastIndexOf("\n\n") + 2);
    const before = parseSse(complete);
    const lastId = before.at(-1)!.id!;

    const tab = api.call(`/api/chats/${ch.id}/stream`, { as: me }).then((r) => r.text());
    const resumed = await api.call(`/api/chats/${ch.id}/stream`, { as: me, headers: { "last-event-id": lastId } });
    expect(resumed.status).toBe(200);
    const after = parseSse(await resumed.text());
    const tokens = [...before, ...after].filter((e) => e.event === "token");
    const ids = [...before, ...after].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const done = after.at(-1)!;
    expect(done.event).toBe("done");
    expect(tokens.map((t) => t.data.text).join("")).toBe(done.data.message.content);
    expect(done.data.message.content.split(" ")).toHaveLength(80);

    const other = parseSse(await tab);
    expect(
      other
        .filter((e) => e.event === "token")
        .map((t) => t.data.text)
        .join(""),
    ).toBe(done.data.message.content);

    // Afterwards the stream answers with the final message.
    const later = parseSse(await (await api.call(`/api/chats/${ch.id}/stream`, { as: me })).text());
    expect(later.map((e) => e.event)).toEqual(["done"]);
    expect(later[0].data.message.id).toBe(done.data.message.id);
  });
});

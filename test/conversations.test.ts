/**
 * More than one conversation with a character: new chats and branches live
 * side by side in the pair's session object, each with its own history and
 * memories, while pins made to the character reach all of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, eventually, promptsWith, type Session, startWorker, unique } from "./worker";

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await startWorker();
  api = client(stack.url);
});
afterAll(() => stack?.close());

type Msg = { id: string; role: string; content: string };
async function messages(me: Session, path: string): Promise<Msg[]> {
  return ((await (await api.call(`${path}/messages`, { as: me })).json()) as { messages: Msg[] }).messages;
}
async function say(me: Session, path: string, content: string) {
  const res = await api.call(`${path}/messages`, { method: "POST", as: me, headers: { accept: "application/json" }, json: { content } });
  return { status: res.status, body: (await res.json()) as { reply: Msg; userMessage: Msg } };
}
async function newChat(me: Session, characterId: string, body: Record<string, unknown> = {}) {
  const res = await api.call(`/api/chats/${characterId}/conversations`, { method: "POST", as: me, json: body });
  return { status: res.status, body: (await res.json()) as { conversation: { id: string; title: string; lastMessage: Msg | null } } };
}

describe("conversations with one character", () => {
  it("start fresh beside the main one, which stays readable and separate", async () => {
    const me = await api.register();
    const ch = await api.character(me, { greeting: "Welcome back, traveller." });
    const main = `/api/chats/${ch.id}`;
    const old = unique("old");
    expect((await say(me, main, `${old} in the main chat`)).status).toBe(200);

    const created = await newChat(me, ch.id, { title: "A second try" });
    expect(created.status).toBe(201);
    const second = `${main}/c/${created.body.conversation.id}`;
    const fresh = unique("fresh");
    expect((await say(me, second, `${fresh} in the new chat`)).status).toBe(200);

    const [prompt] = await promptsWith(fresh);
    const text = JSON.stringify(prompt.messages);
    expect(text).not.toContain(old);
    expect((await messages(me, second)).map((m) => m.content)[0]).toBe("Welcome back, traveller.");
    expect((await messages(me, main)).some((m) => m.content.includes(old))).toBe(true);
    expect((await messages(me, main)).some((m) => m.content.includes(fresh))).toBe(false);

    const list = (await (await api.call(`${main}/conversations`, { as: me })).json()) as { conversations: { id: string; title: string }[] };
    expect(list.conversations.map((c) => c.title)).toEqual(["", "A second try"]);
    // Both are listed with their latest message as soon as they have one.
    const listed = await eventually(async () => {
      const chats = ((await (await api.call("/api/chats", { as: me })).json()) as { chats: { chatId: string; lastMessage: Msg }[] }).chats;
      return chats.length === 2 && chats.every((c) => c.lastMessage?.role === "assistant") ? chats : null;
    });
    expect(listed?.map((c) => c.chatId).sort()).toEqual([created.body.conversation.id, "main"].sort());
  });

  it("branch from a message with the history up to it, and then go their own way", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const main = `/api/chats/${ch.id}`;
    const keep = unique("keep");
    const first = await say(me, main, `${keep} first turn`);
    const later = unique("later");
    await say(me, main, `${later} second turn`);

    const branch = await newChat(me, ch.id, { fromMessageId: first.body.reply.id, title: "What if" });
    expect(branch.status).toBe(201);
    const path = `${main}/c/${branch.body.conversation.id}`;
    const copied = await messages(me, path);
    expect(copied.at(-1)?.content).toBe(first.body.reply.content);
    expect(copied.some((m) => m.content.includes(later))).toBe(false);
    expect(copied.every((m) => m.id !== first.body.reply.id)).toBe(true);

    const marker = unique("branchturn");
    expect((await say(me, path, marker)).status).toBe(200);
    const [prompt] = await promptsWith(marker);
    expect(JSON.stringify(prompt.messages)).toContain(keep);
    expect(JSON.stringify(prompt.messages)).not.toContain(later);
    expect((await messages(me, main)).some((m) => m.content.includes(marker))).toBe(false);
    expect((await newChat(me, ch.id, { fromMessageId: crypto.randomUUID() })).status).toBe(404);
  });

  it("keep memories to themselves unless they are pinned to the character", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const main = `/api/chats/${ch.id}`;
    await say(me, main, "hello");
    const own = unique("ownpin");
    const shared = unique("sharedpin");
    expect((await api.call(`${main}/memories`, { method: "POST", as: me, json: { content: own } })).status).toBe(201);
    const pin = await api.call(`${main}/memories`, { method: "POST", as: me, json: { content: shared, scope: "character" } });
    expect(((await pin.json()) as { memory: { scope: string } }).memory.scope).toBe("character");

    const other = `${main}/c/${(await newChat(me, ch.id)).body.conversation.id}`;
    const marker = unique("where");
    await say(me, other, marker);
    const text = JSON.stringify((await promptsWith(marker))[0].messages);
    expect(text).toContain(shared);
    expect(text).not.toContain(own);
    const listed = ((await (await api.call(`${other}/memories`, { as: me })).json()) as { memories: { content: string }[] }).memories;
    expect(listed.map((m) => m.content)).toEqual([shared]);
  });

  it("can be renamed and deleted, but the main one only with the whole chat", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const { id } = (await newChat(me, ch.id)).body.conversation;
    const path = `/api/chats/${ch.id}/c/${id}`;
    await say(me, path, "hi");
    expect((await api.call(path, { method: "PATCH", as: me, json: { title: "Renamed" } })).status).toBe(204);
    const list = async () =>
      (
        (await (await api.call(`/api/chats/${ch.id}/conversations`, { as: me })).json()) as {
          conversations: { id: string; title: string }[];
        }
      ).conversations;
    expect((await list()).find((c) => c.id === id)?.title).toBe("Renamed");
    expect((await api.call(path, { method: "DELETE", as: me })).status).toBe(204);
    expect((await list()).map((c) => c.id)).toEqual(["main"]);
    expect((await api.call(`${path}/messages`, { as: me })).status).toBe(404);
    expect((await api.call(`/api/chats/${ch.id}/c/main`, { method: "DELETE", as: me })).status).toBe(409);
  });

  it("cannot be reached by anyone else, nor by an unknown or malformed id", async () => {
    const [a, b] = [await api.register(), await api.register()];
    const ch = await api.character(a, { visibility: "public" });
    const { id } = (await newChat(a, ch.id)).body.conversation;
    const secret = unique("secret");
    await say(a, `/api/chats/${ch.id}/c/${id}`, secret);
    const res = await api.call(`/api/chats/${ch.id}/c/${id}/messages`, { as: b });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("chat_not_found");
    expect((await api.call(`/api/chats/${ch.id}/c/${crypto.randomUUID()}/messages`, { as: a })).status).toBe(404);
    expect((await api.call(`/api/chats/${ch.id}/c/not-an-id/messages`, { as: a })).status).toBe(404);
  });
});

/**
 * Live state across tabs: every open client of a conversation's owner is
 * told of every change, whichever tab made it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Stack } from "../dev/stack";
import type { LiveEvent } from "../worker/shared/wire";
import { client, eventually, type Session, startWorker, unique } from "./worker";

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await startWorker();
  api = client(stack.url);
});
afterAll(() => stack?.close());

/** A tab's live connection: the events it has received so far. */
async function connect(me: Session, characterId: string): Promise<{ events: LiveEvent[]; close(): void }> {
  const url = `${stack.url.replace(/^http/, "ws")}/api/chats/${characterId}/live`;
  const ws = new WebSocket(url, ["chat-live", `bearer.${me.token}`]);
  const events: LiveEvent[] = [];
  ws.on("message", (data) => events.push(JSON.parse(String(data)) as LiveEvent));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  expect(ws.protocol).toBe("chat-live");
  return { events, close: () => ws.close() };
}

describe("live conversation state", () => {
  it("tells every tab of a turn sent from any of them, in one order", async () => {
    const me = await api.register();
    const ch = await api.character(me, { greeting: "" });
    const [a, b] = [await connect(me, ch.id), await connect(me, ch.id)];
    const text = unique("hello");
    const turn = await api.say(me, ch.id, text);
    expect(turn.status).toBe(200);
    for (const tab of [a, b]) {
      await eventually(async () => tab.events.some((e) => e.type === "message" && e.message.role === "assistant"));
      const kinds = tab.events.map((e) => (e.type === "message" ? `message:${e.message.role}` : e.type));
      expect(kinds).toEqual(["message:user", "turn", "message:assistant"]);
      const reply = tab.events.at(-1);
      expect(reply?.type === "message" && reply.message.id).toBe(turn.body.reply.id);
    }
    a.close();
    b.close();
  });

  it("lets one of two simultaneous sends through and shows both tabs the same turn", async () => {
    const me = await api.register();
    const ch = await api.character(me, { greeting: "" });
    const tab = await connect(me, ch.id);
    const [x, y] = await Promise.all([api.say(me, ch.id, `${unique("x")} [[long:20]]`), api.say(me, ch.id, `${unique("y")} [[long:20]]`)]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    await eventually(async () => tab.events.some((e) => e.type === "message" && e.message.role === "assistant"));
    const users = tab.events.filter((e) => e.type === "message" && e.message.role === "user");
    expect(users).toHaveLength(1);
    const accepted = x.status === 200 ? x : y;
    expect(users[0].type === "message" && users[0].message.id).toBe(accepted.body.userMessage.id);
    tab.close();
  });

  it("tells tabs to read again after a rewind, a pin and a new conversation", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const first = await api.say(me, ch.id, "one");
    await api.say(me, ch.id, "two");
    const tab = await connect(me, ch.id);
    await api.call(`/api/chats/${ch.id}/rewind`, { method: "POST", as: me, json: { messageId: first.body.reply.id } });
    await api.call(`/api/chats/${ch.id}/memories`, { method: "POST", as: me, json: { content: "likes tea" } });
    await api.call(`/api/chats/${ch.id}/conversations`, { method: "POST", as: me, json: {} });
    await eventually(async () => tab.events.some((e) => e.type === "chats"));
    expect(tab.events.map((e) => e.type)).toEqual(["history", "memories", "memories", "chats"]);
    tab.close();
  });

  it("streams the same events as SSE", async () => {
    const me = await api.register();
    const ch = await api.character(me, { greeting: "" });
    const ctrl = new AbortController();
    const res = await api.call(`/api/chats/${ch.id}/live`, { as: me, headers: { accept: "text/event-stream" }, signal: ctrl.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    let text = "";
    await reader.read(); // the opening comment: subscribed
    await api.say(me, ch.id, "over sse");
    while (!text.includes("event: message") || !text.includes('"role":"assistant"'))
      text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain("event: turn");
    ctrl.abort();
  });

  it("is refused without a valid token, and on someone else's private character", async () => {
    const [me, other] = [await api.register(), await api.register()];
    const ch = await api.character(me);
    const url = `${stack.url.replace(/^http/, "ws")}/api/chats/${ch.id}/live`;
    const status = (protocols: string[]) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, protocols);
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.once("open", () => {
          ws.close();
          resolve(101);
        });
      });
    expect(await status(["chat-live"])).toBe(401);
    expect(await status(["chat-live", "bearer.not-a-token"])).toBe(401);
    expect(await status(["chat-live", `bearer.${other.token}`])).toBe(404);
    expect(await status(["chat-live", `bearer.${me.token}`])).toBe(101);
  });
});

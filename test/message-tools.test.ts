/**
 * Tools on single messages: delete one (and what that means for memories),
 * edit what the character said, continue a cut-off reply, and reply to a
 * user message left without one.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, promptsWith, type Session, startWorker, unique } from "./worker";

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await startWorker({ env: { LLM_FIRST_TOKEN_MS: "3000", LLM_GAP_MS: "1000" } });
  api = client(stack.url);
});
afterAll(() => stack?.close());

type Msg = { id: string; role: string; content: string; status: string };
const history = async (me: Session, characterId: string) =>
  ((await (await api.call(`/api/chats/${characterId}/messages`, { as: me })).json()) as { messages: Msg[] }).messages;

describe("message tools", () => {
  it("delete a user message with its reply and the memory pinned from it", async () => {
    const me = await api.register();
    const ch = await api.character(me, { greeting: "" });
    const secret = unique("secret");
    const gone = await api.say(me, ch.id, `Remember this: the code is ${secret}`);
    await api.say(me, ch.id, "and something else");
    const del = await api.call(`/api/chats/${ch.id}/messages/${gone.body.userMessage.id}`, { method: "DELETE", as: me });
    expect(del.status).toBe(204);
    const ids = (await history(me, ch.id)).map((m) => m.id);
    expect(ids).not.toContain(gone.body.userMessage.id);
    expect(ids).not.toContain(gone.body.reply.id);
    const memories = (await (await api.call(`/api/chats/${ch.id}/memories`, { as: me })).json()) as { memories: unknown[] };
    expect(memories.memories).toEqual([]);
    const marker = unique("after");
    await api.say(me, ch.id, marker);
    expect(JSON.stringify((await promptsWith(marker))[0].messages)).not.toContain(secret);
    expect((await api.call(`/api/chats/${ch.id}/messages/${gone.body.userMessage.id}`, { method: "DELETE", as: me })).status).toBe(404);
  });

  it("edit what the character said, and the next prompt uses it", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const turn = await api.say(me, ch.id, "tell me something");
    const better = unique("better answer");
    const res = await api.call(`/api/chats/${ch.id}/messages/${turn.body.reply.id}`, {
      method: "PATCH",
      as: me,
      json: { content: better },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: Msg }).message.content).toBe(better);
    const marker = unique("next");
    await api.say(me, ch.id, marker);
    const prompt = (await promptsWith(marker))[0].messages;
    expect(prompt.find((m) => m.role === "assistant" && m.content === better)).toBeTruthy();
    const mine = await api.call(`/api/chats/${ch.id}/messages/${turn.body.userMessage.id}`, {
      method: "PATCH",
      as: me,
      json: { content: "x" },
    });
    expect(mine.status).toBe(409);
  });

  it("continue a cut-off reply: the new text is appended to it", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const cut = await api.call(`/api/chats/${ch.id}/messages`, {
      method: "POST",
      as: me,
      headers: { accept: "text/event-stream" },
      json: { content: "[[long:40]] [[cut:6]] a long tale" },
    });
    await cut.text();
    const partial = (await history(me, ch.id)).at(-1)!;
    expect(partial).toMatchObject({ role: "assistant", status: "interrupted" });
    const res = await api.call(`/api/chats/${ch.id}/continue`, { method: "POST", as: me, headers: { accept: "text/event-stream" } });
    expect(res.status).toBe(200);
    await res.text();
    const after = (await history(me, ch.id)).at(-1)!;
    expect(after.id).toBe(partial.id);
    expect(after.content.startsWith(partial.content)).toBe(true);
    expect(after.content.length).toBeGreaterThan(partial.content.length);
    // The request that continued ends with the partial reply itself.
    const log = (await (await fetch(`${inject("llmBaseUrl")}/_debug/requests`)).json()) as {
      requests: { body: { messages?: { role: string; content: string }[]; continue_final_message?: boolean } }[];
    };
    const request = log.requests.filter((r) => JSON.stringify(r.body.messages ?? []).includes(partial.content)).at(-1)!;
    expect(request.body.messages?.at(-1)).toEqual({ role: "assistant", content: partial.content });
    expect(request.body.continue_final_message).toBe(true);
  });

  it("reply to a user message left without one", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const turn = await api.say(me, ch.id, "first");
    await api.call(`/api/chats/${ch.id}/messages/${turn.body.reply.id}`, { method: "DELETE", as: me });
    expect((await history(me, ch.id)).at(-1)?.role).toBe("user");
    const res = await api.call(`/api/chats/${ch.id}/regenerate`, { method: "POST", as: me, headers: { accept: "application/json" } });
    expect(res.status).toBe(200);
    const last = (await history(me, ch.id)).at(-1)!;
    expect(last).toMatchObject({ role: "assistant", status: "complete" });
  });
});

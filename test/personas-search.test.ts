/**
 * Personas (several per account, one per conversation) and search inside
 * the caller's own conversations.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, eventually, promptsWith, startWorker, unique } from "./worker";

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await startWorker();
  api = client(stack.url);
});
afterAll(() => stack?.close());

describe("personas", () => {
  it("are chosen per conversation, reach its prompt, follow edits and fall back to the profile when deleted", async () => {
    const me = await api.register();
    await api.call("/api/me", { method: "PATCH", as: me, json: { displayName: "Plain Name" } });
    const ch = await api.character(me);
    const created = await api.call("/api/me/personas", {
      method: "POST",
      as: me,
      json: { name: "Captain Vale", description: "A retired sky pirate." },
    });
    expect(created.status).toBe(201);
    const { persona } = (await created.json()) as { persona: { id: string } };
    expect((await api.call(`/api/chats/${ch.id}/persona`, { method: "PUT", as: me, json: { personaId: persona.id } })).status).toBe(200);

    const m1 = unique("m");
    await api.say(me, ch.id, m1);
    const sheet = (await promptsWith(m1))[0].messages[0].content;
    expect(sheet).toContain("Captain Vale");
    expect(sheet).toContain("A retired sky pirate.");
    expect(sheet).not.toContain("Plain Name");

    // Another conversation with the same character keeps the profile.
    const other = (await (await api.call(`/api/chats/${ch.id}/conversations`, { method: "POST", as: me, json: {} })).json()) as {
      conversation: { id: string };
    };
    const m2 = unique("m");
    await api.call(`/api/chats/${ch.id}/c/${other.conversation.id}/messages`, { method: "POST", as: me, json: { content: m2 } });
    expect((await promptsWith(m2))[0].messages[0].content).toContain("Plain Name");

    await api.call(`/api/me/personas/${persona.id}`, { method: "PATCH", as: me, json: { name: "Admiral Vale" } });
    const m3 = unique("m");
    await api.say(me, ch.id, m3);
    expect((await promptsWith(m3))[0].messages[0].content).toContain("Admiral Vale");

    expect((await api.call(`/api/me/personas/${persona.id}`, { method: "DELETE", as: me })).status).toBe(204);
    const m4 = unique("m");
    await api.say(me, ch.id, m4);
    expect((await promptsWith(m4))[0].messages[0].content).toContain("Plain Name");
  });

  it("belong to their owner only", async () => {
    const [a, b] = [await api.register(), await api.register()];
    const ch = await api.character(b);
    const { persona } = (await (await api.call("/api/me/personas", { method: "POST", as: a, json: { name: "Mine" } })).json()) as {
      persona: { id: string };
    };
    expect((await api.call(`/api/chats/${ch.id}/persona`, { method: "PUT", as: b, json: { personaId: persona.id } })).status).toBe(404);
    expect((await api.call(`/api/me/personas/${persona.id}`, { method: "PATCH", as: b, json: { name: "x" } })).status).toBe(404);
    expect(((await (await api.call("/api/me/personas", { as: b })).json()) as { personas: unknown[] }).personas).toEqual([]);
    expect((await api.call("/api/me/personas", { method: "POST", as: a, json: { name: "" } })).status).toBe(400);
  });
});

describe("search inside conversations", () => {
  it("finds the caller's own messages, says where they are, and nobody else's", async () => {
    const [me, other] = [await api.register(), await api.register()];
    const ch = await api.character(me, { visibility: "public" });
    const word = unique("quokka");
    const turn = await api.say(me, ch.id, `we saw a ${word} by the river`);
    await api.say(other, ch.id, `${word} belongs to someone else`);
    const results = await eventually(async () => {
      const res = await api.call(`/api/search?q=${encodeURIComponent(word)}`, { as: me });
      const body = (await res.json()) as { results: { chatId: string; characterId: string; snippet: string; message: { id: string } }[] };
      return body.results.length > 0 ? body.results : null;
    });
    // The user's message, and (once copied) the development model's reply that quotes it; never the other user's.
    const mine = [turn.body.userMessage.id, turn.body.reply.id];
    expect(results?.map((r) => r.message.id)).toContain(turn.body.userMessage.id);
    for (const r of results ?? []) {
      expect(mine).toContain(r.message.id);
      expect(r).toMatchObject({ chatId: "main", characterId: ch.id });
      expect(r.snippet).toContain(`«${word}»`);
    }
    expect((await api.call("/api/search?q=", { as: me })).status).toBe(400);
    expect((await api.call(`/api/search?q=${word}`)).status).toBe(401);
  });
});

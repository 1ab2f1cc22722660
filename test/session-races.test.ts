/**
 * Races at the session object's seams: a JSON turn stopped from another
 * request, and concurrent first calls on an object that is not loaded yet.
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

describe("a JSON turn cancelled from another request", () => {
  it("answers 409 reply_cancelled from the error table, and keeps the partial reply", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const turn = api.say(me, ch.id, "[[long:400]] [[gap:20]] tell me everything");
    // Cancel once the reply is being written.
    await eventually(async () => (await promptsWith("tell me everything")).length > 0);
    await new Promise((r) => setTimeout(r, 200));
    const cancel = await api.call(`/api/chats/${ch.id}/cancel`, { method: "POST", as: me });
    expect(await cancel.json()).toEqual({ cancelled: true });
    const answer = await turn;
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe("reply_cancelled");
    expect(answer.body.error.message).toMatch(/stopped/);
    const page = await (await api.call(`/api/chats/${ch.id}/messages`, { as: me })).json();
    const last = (page as { messages: { role: string; status: string; content: string }[] }).messages.at(-1)!;
    expect(last).toMatchObject({ role: "assistant", status: "cancelled" });
    expect(last.content.length).toBeGreaterThan(0);
  });
});

describe("concurrent first calls on a cold session object", () => {
  it("share one hot state: a turn started among them is in the next prompt", async () => {
    for (let round = 0; round < 3; round++) {
      const me = await api.register();
      const ch = await api.character(me);
      const first = unique("first");
      // The object is new: every call below arrives while it loads.
      const reads = Array.from({ length: 6 }, () => api.call(`/api/chats/${ch.id}/messages`, { as: me }));
      const [turn] = await Promise.all([api.say(me, ch.id, `${first} [[long:3]]`), ...reads]);
      expect(turn.status).toBe(200);
      const second = unique("second");
      expect((await api.say(me, ch.id, second)).status).toBe(200);
      const [prompt] = await promptsWith(second);
      const text = prompt.messages.map((m) => m.content);
      expect(
        text.some((c) => c.includes(first)),
        `round ${round}: the first turn is in the second prompt`,
      ).toBe(true);
      expect(
        text.some((c) => c === turn.body.reply.content),
        `round ${round}: so is its reply`,
      ).toBe(true);
    }
  });
});

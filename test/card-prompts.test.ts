/**
 * What the LLM receives for each card of the corpus (test/cards/), through
 * the whole service: imported as a file, opened (the greeting, with its
 * alternates to swipe), a first turn, and a turn that sets off the lorebook.
 * The expected prompts are written by hand (test/cards/expected.ts).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import type { Message, PromptLedger } from "../worker/shared/wire";
import { EXPECTED } from "./cards/expected";
import { client, promptsWith, startWorker } from "./worker";

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await startWorker();
  api = client(stack.url);
});
afterAll(() => stack?.close());

const S = (content: string) => ({ role: "system", content });

describe.each(EXPECTED)("$file", (card) => {
  it("sends the exact prompt on the first turn and on a keyword turn", async () => {
    const me = await api.register();
    await api.call("/api/me", { method: "PATCH", as: me, json: { displayName: "Sam", persona: card.persona } });
    const bytes = readFileSync(`test/cards/${card.file}`);
    const type = card.file.endsWith(".png") ? "image/png" : "application/json";
    const res = await api.call("/api/characters/import", { method: "POST", as: me, headers: { "content-type": type }, body: bytes });
    expect(res.status).toBe(201);
    const { character } = (await res.json()) as { character: { id: string } };

    const opened = (await (await api.call(`/api/chats/${character.id}/messages`, { as: me })).json()) as { messages: Message[] };
    expect(opened.messages.map((m) => m.content)).toEqual([card.greeting]);

    const first = await api.say(me, character.id, card.first.say);
    expect(first.status).toBe(200);
    const post = card.post ? [S(card.post)] : [];
    const firstPrompt = (await promptsWith(card.first.say)).at(-1)!;
    expect(firstPrompt.messages).toEqual([
      S(card.first.system),
      { role: "assistant", content: card.greeting },
      { role: "user", content: card.first.say },
      ...post,
    ]);

    const second = await api.say(me, character.id, card.keyword.say);
    expect(second.status).toBe(200);
    const keywordPrompt = (await promptsWith(card.keyword.say)).at(-1)!;
    expect(keywordPrompt.messages).toEqual([
      S(card.keyword.system),
      { role: "assistant", content: card.greeting },
      { role: "user", content: card.first.say },
      { role: "assistant", content: first.body.reply.content },
      { role: "user", content: card.keyword.say },
      ...post,
    ]);
  });
});

describe("the lorebook in the ledger, and alternate greetings", () => {
  it("says which entries fired and on which word, and lets the user swipe to another greeting before answering", async () => {
    const me = await api.register();
    await api.call("/api/me", { method: "PATCH", as: me, json: { displayName: "Sam", persona: "" } });
    const res = await api.call("/api/characters/import", {
      method: "POST",
      as: me,
      headers: { "content-type": "application/json" },
      body: readFileSync("test/cards/v2-vela.json"),
    });
    const { character } = (await res.json()) as { character: { id: string } };
    const base = `/api/chats/${character.id}`;
    const opened = ((await (await api.call(`${base}/messages`, { as: me })).json()) as { messages: Message[] }).messages;
    expect(opened).toHaveLength(1);
    expect(opened[0].alternatives?.map((a) => a.content)).toEqual(["Ahoy, Sam! Coffee's on the console.", "Report, navigator."]);
    const other = opened[0].alternatives!.find((a) => a.content === "Report, navigator.")!;
    const chose = await api.call(`${base}/messages/${other.id}/choose`, { method: "POST", as: me });
    expect(chose.status).toBe(200);

    const turn = await api.say(me, character.id, "Is the engine safe?");
    const prompt = (await promptsWith("Is the engine safe?")).at(-1)!;
    expect(prompt.messages[1]).toEqual({ role: "assistant", content: "Report, navigator." });
    const ledger = (
      (await (await api.call(`${base}/messages/${turn.body.reply.id}/context`, { as: me })).json()) as { ledger: PromptLedger }
    ).ledger;
    expect(ledger.lore).toEqual([{ id: "1", name: "Reactor", trigger: "key", key: "engine" }]);
    expect(ledger.included.map((i) => i.source)).toContain("post_history");
  });
});

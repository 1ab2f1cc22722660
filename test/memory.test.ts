/**
 * Long memory with a small context window and hundreds of turns: the budget
 * holds, a pinned fact survives, an old turn is recalled when asked about,
 * nothing of another pair is recalled, and a rewind takes turns and their
 * memories out of later prompts.
 */
import { countTokens } from "gpt-tokenizer/encoding/cl100k_base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { promptTokens } from "../worker/shared/tokens";
import { client, promptsWith, type Session, startWorker, summaryRequestsWith, unique } from "./worker";

const CONTEXT = 600;
const REPLY = 64;
let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await startWorker({ env: { LLM_CONTEXT_TOKENS: String(CONTEXT), LLM_MAX_REPLY_TOKENS: String(REPLY) } });
  api = client(stack.url);
});
afterAll(() => stack?.close());

const quick = "[[long:4]] [[gap:0]]";

describe("three hundred turns in a small window", () => {
  let me: Session;
  let ch: { id: string };
  let turnTwoReply = "";
  const run = unique("run");
  const pin = unique("lucky");
  const word = unique("zebraquartz");
  const nearWord = unique("ottermoss");
  const leakOther = unique("leakb");
  const leakChar = unique("leakc");
  const lastPrompt = async () => JSON.stringify((await promptsWith(`${run} turn 300`)).at(-1)!.messages);

  beforeAll(async () => {
    const other = await api.register();
    me = await api.register();
    ch = await api.character(me, { visibility: "public", description: "An old sailor who tells short stories." });
    const mine2 = await api.character(me);
    // The same rare word in two other pairs, with canaries that must never show up.
    expect((await api.say(other, ch.id, `${word} is mine too ${leakOther} ${quick}`)).status).toBe(200);
    expect((await api.say(me, mine2.id, `${word} belongs here ${leakChar} ${quick}`)).status).toBe(200);
    for (let i = 1; i <= 300; i++) {
      let content = `${run} turn ${i}: the wind and the waves keep rolling today ${quick}`;
      if (i === 3) content = `Remember this: my lucky number is ${pin}. ${run} ${quick}`;
      if (i === 10) content = `${run} turn 10: last spring I sailed to ${word} island ${quick}`;
      // Still in the object's memory, long out of the prompt: recall must find it too.
      if (i === 40) content = `${run} turn 40: my boat is painted ${nearWord} green ${quick}`;
      if (i === 120) content = `${run} turn 120: what colour was ${nearWord}? ${quick}`;
      if (i === 300) content = `${run} turn 300: what happened at ${word}? ${quick}`;
      const r = await api.say(me, ch.id, content);
      expect(r.status, `turn ${i}`).toBe(200);
      if (i === 2) turnTwoReply = r.body.reply.id;
    }
  }, 240_000);

  it("never sends a prompt over the budget", async () => {
    const prompts = await promptsWith(run);
    expect(prompts.length).toBeGreaterThan(250);
    for (const p of prompts) expect(promptTokens(p.messages, countTokens)).toBeLessThanOrEqual(CONTEXT - REPLY);
  });

  it("keeps the turn-3 pin in the prompt at turn 300, and lists it", async () => {
    expect(await lastPrompt()).toContain(pin);
    const memories = (await (await api.call(`/api/chats/${ch.id}/memories`, { as: me })).json()) as { memories: { content: string }[] };
    expect(memories.memories.map((m) => m.content)).toContain(`my lucky number is ${pin}. ${run} ${quick}`);
  });

  it("recalls a word from turn 10 at turn 300, and not the turns in between", async () => {
    const text = await lastPrompt();
    expect(text).toContain(`last spring I sailed to ${word} island`);
    expect(text).not.toContain(`${run} turn 150:`);
  });

  it("records in the ledger why a turn was recalled: the words it matched, its score and its date", async () => {
    const history = (await (await api.call(`/api/chats/${ch.id}/messages?limit=4`, { as: me })).json()) as {
      messages: { id: string; role: string }[];
    };
    const reply = history.messages.filter((m) => m.role === "assistant").at(-1)!;
    const res = await api.call(`/api/chats/${ch.id}/messages/${reply.id}/context`, { as: me });
    const { ledger } = (await res.json()) as {
      ledger: { included: { source: string; recall?: { matched: string[]; score: number; via: string; date: string | null } }[] };
    };
    const recalled = ledger.included.filter((i) => i.source === "recall");
    const hit = recalled.find((i) => i.recall?.via === "match" && i.recall.matched.includes(word.toLowerCase()));
    expect(hit?.recall?.score).toBeGreaterThan(0);
    expect(hit?.recall?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("recalls a word still in the object's memory but out of the prompt (turn 40 at turn 120)", async () => {
    const near = JSON.stringify((await promptsWith(`${run} turn 120`)).at(-1)!.messages);
    expect(near).toContain(`my boat is painted ${nearWord} green`);
    expect(near).not.toContain(`${run} turn 60:`);
  });

  it("never recalls another pair's turns that use the same word", async () => {
    const text = await lastPrompt();
    expect(text).not.toContain(leakOther);
    expect(text).not.toContain(leakChar);
  });

  it("folds older turns into a summary written by the LLM off the hot path", async () => {
    expect((await summaryRequestsWith(run)).length).toBeGreaterThan(0);
    expect(await lastPrompt()).toContain("Summary of the earlier conversation");
  });

  it("takes rewound turns, their memories and the summary out of later prompts", async () => {
    // Rewind to turn 2: the pin (turn 3) and the old word (turn 10) leave later prompts.
    const rewind = await api.call(`/api/chats/${ch.id}/rewind`, { method: "POST", as: me, json: { messageId: turnTwoReply } });
    expect(rewind.status).toBe(200);
    const after = unique("after");
    expect((await api.say(me, ch.id, `${after} tell me about ${word} ${quick}`)).status).toBe(200);
    const [fresh] = await promptsWith(after);
    const freshText = JSON.stringify(fresh.messages);
    expect(freshText).not.toContain(pin);
    expect(freshText).not.toContain(`sailed to ${word} island`);
    expect(freshText).not.toContain("Summary of the earlier conversation");
    expect(freshText).toContain(`${run} turn 2:`);
    const left = (await (await api.call(`/api/chats/${ch.id}/memories`, { as: me })).json()) as { memories: unknown[] };
    expect(left.memories).toHaveLength(0);
  });
});

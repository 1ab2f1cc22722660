/**
 * The memory benchmark's protocol end to end through the real stack (worker
 * in workerd, PostgreSQL, Redis, the development LLM in scripted mode) on a
 * tiny conversation in LoCoMo's shape, written for this test: what the
 * replay stores, what a question's prompt holds, that rewind leaves no
 * trace, and what counts as evidence.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevLlm, startDevLlm } from "../../dev/dev-llm";
import type { Stack } from "../../dev/stack";
import { startWorker } from "../../test/worker";
import { closeClient, send } from "../http-client";
import { type Conversation, lineText, parseConversation, questionsOf } from "./locomo";
import { measureConversation } from "./measure";
import { PROTOCOL_ENV } from "./options";
import { type Asker, ask, type LogCursor, replay, type Target } from "./replay";
import { evidenceInPrompt } from "./score";
import { currentSeq, scriptReplies } from "./scripted-llm";

const DAY1 = "8:00 pm on 1 March, 2024";
const DAY2 = "9:15 am on 3 March, 2024";
const conv: Conversation = parseConversation("conv-test", {
  speaker_a: "Ana",
  speaker_b: "Bo",
  session_1_date_time: DAY1,
  session_1: [
    { speaker: "Bo", dia_id: "D1:1", text: "Evening, Ana! How was the regatta?" },
    { speaker: "Ana", dia_id: "D1:2", text: "We came second, the jib tore on the last leg." },
    { speaker: "Ana", dia_id: "D1:3", text: "Here is the boat.", blip_caption: "a small sailboat with a torn sail" },
    { speaker: "Bo", dia_id: "D1:4", text: "Second is great. Will you fix the jib?" },
  ],
  session_2_date_time: DAY2,
  session_2: [
    { speaker: "Ana", dia_id: "D2:1", text: "I took the jib to the sailmaker in Harwich." },
    { speaker: "Bo", dia_id: "D2:2", text: "Good call." },
    { speaker: "Ana", dia_id: "D2:3", text: "Also, my sister Ilse visits next week." },
  ],
  qa: [
    { question: "Where did Ana take the jib?", answer: "x", evidence: ["D2:1"], category: 4 },
    { question: "What happened at the regatta, and what did Ana show?", answer: "x", evidence: ["D1:2; D1:3"], category: 1 },
    { question: "Who is Ilse?", adversarial_answer: "x", evidence: ["D2:3"], category: 5 },
    { question: "When did Ana see the sailmaker?", answer: "x", evidence: ["D:2:1"], category: 2 },
    { question: "Is Bo kind?", answer: "x", evidence: [], category: 3 },
  ],
});
const [qJib, qRegatta, qWhen] = questionsOf(conv).questions;

let llm: DevLlm;
let main: Stack;
let twin: Stack;
let log: LogCursor;
const target = (s: Stack): Target => ({ base: s.url, llm: llm.url });

beforeAll(async () => {
  // Its own development LLM: scripted mode would answer every other test's prompts with "-".
  llm = await startDevLlm({ wordDelayMs: 0 });
  await scriptReplies(llm.url, []);
  [main, twin] = await Promise.all([
    startWorker({ llmBaseUrl: llm.url, env: PROTOCOL_ENV }),
    startWorker({ llmBaseUrl: llm.url, env: { ...PROTOCOL_ENV, RECALL_LIMIT: "0" } }),
  ]);
  log = { llm: llm.url, seq: await currentSeq(llm.url) };
}, 60_000);
afterAll(async () => {
  await Promise.all([main?.close(), twin?.close()]);
  await llm?.close();
  closeClient();
});

describe("LoCoMo protocol through the service", () => {
  it("replays turns verbatim: (listens), date prefixes, captions, scripted replies and '-' for a turn without one", async () => {
    const r = await replay(target(main), conv);
    const expected = [
      `[${DAY1}] (listens)`,
      "Evening, Ana! How was the regatta?",
      "We came second, the jib tore on the last leg.\nHere is the boat. [shares a small sailboat with a torn sail]",
      "Second is great. Will you fix the jib?",
      `[${DAY2}] I took the jib to the sailmaker in Harwich.`,
      "Good call.",
      "Also, my sister Ilse visits next week.",
      "-",
    ];
    expect(r.history).toEqual(expected);
    const res = await send("GET", `${main.url}/api/chats/${r.pair.characterId}/messages`, {
      headers: { authorization: `Bearer ${r.pair.token}` },
    });
    const stored = (JSON.parse(res.body) as { messages: { role: string; content: string }[] }).messages;
    expect(stored.map((m) => m.content)).toEqual(expected);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant", "user", "assistant"]);
  });

  it("reads each question's own prompt, answers it '-', and rewinds it away without a trace", async () => {
    const r = await replay(target(main), conv);
    const asker: Asker = { base: main.url, pair: r.pair, lastId: r.lastId, log };
    const first = await ask(asker, qJib.text);
    expect(first.turns.at(-1)).toBe(qJib.text);
    expect(first.turns).toContain(`[${DAY2}] I took the jib to the sailmaker in Harwich.`);
    // The character is Bo and the user, by display name, Ana.
    expect(first.system.join("\n")).toContain("You are Bo, talking with Ana.");

    const second = await ask(asker, qRegatta.text);
    const all = [...second.system, ...second.turns];
    expect(all.some((m) => m.includes(qJib.text))).toBe(false);
    expect(second.turns.filter((m) => m === "-")).toHaveLength(1);
    const res = await send("GET", `${main.url}/api/chats/${r.pair.characterId}/messages`, {
      headers: { authorization: `Bearer ${r.pair.token}` },
    });
    const stored = (JSON.parse(res.body) as { messages: { id: string; content: string }[] }).messages;
    expect(stored.map((m) => m.content)).toEqual(r.history);
    expect(stored.at(-1)?.id).toBe(r.lastId);

    // What counts: the whole line with its caption; not a reworded line, not more than the prompt holds.
    expect(evidenceInPrompt(all, qRegatta.evidence)).toBe(true);
    expect(qRegatta.evidence).toContain("Here is the boat. [shares a small sailboat with a torn sail]");
    const [line] = qJib.evidence;
    expect(evidenceInPrompt(all, [line])).toBe(true);
    expect(evidenceInPrompt(all, [line.replace("Harwich", "Harwick")])).toBe(false);
    expect(evidenceInPrompt(all, [`${line} On Tuesday.`])).toBe(false);
    expect(
      evidenceInPrompt(all, [lineText({ speaker: "Ana", dia_id: "D1:3", text: "Here is the boat.", blip_caption: "a sailboat" })]),
    ).toBe(false);
  });

  it("measures a conversation: evidence in the window counts for the service, its twin and both baselines", async () => {
    const run = await measureConversation(conv, { main: target(main), twin: target(twin), log });
    expect(run.turns).toBe(4);
    expect(run.skipped).toEqual([4]);
    expect(run.questions.map((q) => [q.index, q.category, q.evidence])).toEqual([
      [0, 4, 1],
      [1, 1, 2],
      [3, 2, 1],
    ]);
    for (const q of run.questions) {
      expect([q.service.hit, q.twin?.hit, q.recent.hit, q.rag.hit]).toEqual([true, true, true, true]);
      expect(q.service.found).toBe(q.evidence);
      expect(q.service.firstMs).toBeGreaterThan(0);
      expect(q.twin?.firstMs).toBeGreaterThan(0);
    }
    expect(run.questions.find((q) => q.index === qWhen.index)?.oldestBack).toBe(4);
  });
});

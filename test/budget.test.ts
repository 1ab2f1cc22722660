/**
 * The prompt stays within the token budget with a small context window and
 * a long history, and each turn's ledger says what went in and what not.
 * (Recall is off here so the window alone is measured; test/memory.test.ts
 * checks the budget with every share in use.)
 */
import { countTokens } from "gpt-tokenizer/encoding/cl100k_base";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedHistory } from "../bench/seed";
import type { Stack } from "../dev/stack";
import { promptTokens } from "../worker/shared/tokens";
import { client, promptsWith, startWorker, unique } from "./worker";

const CONTEXT = 400;
const REPLY = 64;
let stack: Stack;
let api: ReturnType<typeof client>;
const logs: string[] = [];

beforeAll(async () => {
  stack = await startWorker({
    env: { LLM_CONTEXT_TOKENS: String(CONTEXT), LLM_MAX_REPLY_TOKENS: String(REPLY), RECALL_LIMIT: "0" },
    onLog: (line) => logs.push(line),
  });
  api = client(stack.url);
});
afterAll(() => stack?.close());

describe("the token budget", () => {
  it("is never exceeded, keeps the newest turns, and the ledger accounts for the rest", async () => {
    const me = await api.register();
    const ch = await api.character(me, { description: "A terse lighthouse keeper. ".repeat(5) });
    const run = unique("r");
    let last: { id: string } | undefined;
    for (let i = 0; i < 25; i++) {
      const r = await api.say(me, ch.id, `${run} turn ${i}: ${"the sea is calm tonight ".repeat(3)}`);
      expect(r.status).toBe(200);
      last = r.body.reply;
    }
    const prompts = await promptsWith(run);
    expect(prompts.length).toBe(25);
    for (const p of prompts) expect(promptTokens(p.messages, countTokens)).toBeLessThanOrEqual(CONTEXT - REPLY);
    const final = prompts.at(-1)!;
    const text = JSON.stringify(final.messages);
    expect(text).toContain(`${run} turn 24`);
    expect(text).toContain(`${run} turn 23`);
    expect(text).not.toContain(`${run} turn 0:`);
    expect(final.messages[0].role).toBe("system");

    const res = await api.call(`/api/chats/${ch.id}/messages/${last!.id}/context`, { as: me });
    expect(res.status).toBe(200);
    const { ledger } = (await res.json()) as {
      ledger: { budget: number; used: number; included: { source: string }[]; excluded: unknown[] };
    };
    expect(ledger.budget).toBe(CONTEXT - REPLY);
    expect(ledger.used).toBeLessThanOrEqual(ledger.budget);
    expect(ledger.excluded.length).toBeGreaterThan(10);
    expect(ledger.included.some((i) => i.source === "recent")).toBe(true);

    const stranger = await api.register();
    const other = await api.call(`/api/chats/${ch.id}/messages/${last!.id}/context`, { as: stranger });
    expect(other.status).toBe(404);
    expect((await api.call(`/api/chats/${ch.id}/messages/${last!.id}/context`)).status).toBe(401);
  }, 60_000);
});

describe("with recall off", () => {
  it("a conversation whose history outgrows the window gets no recall index", async () => {
    // test/recall-pg.test.ts: the same history with recall on fills its index.
    const sql = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
    try {
      const me = await api.register();
      const ch = await api.character(me);
      await seedHistory(sql, { userId: me.userId, characterId: ch.id }, 450);
      expect((await api.say(me, ch.id, "Can we go back to the storm last winter? [[long:2]]")).status).toBe(200);
      // A fill would start with the open (logged before the reply) and end with recall_index_filled.
      await new Promise((r) => setTimeout(r, 1000)); // workerd's output reaches us asynchronously
      expect(logs.join("\n")).not.toMatch(/recall_index_fill|recall_backfill/);
    } finally {
      await sql.end();
    }
  }, 30_000);
});

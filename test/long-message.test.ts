/**
 * A message must fit the context window with the whole character sheet, or
 * be refused with the limit stated — never sent as an oversized prompt.
 */
import { countTokens, decode, encode } from "gpt-tokenizer/encoding/cl100k_base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, promptsWith, startWorker, unique } from "./worker";

let stack: Stack;
let api: ReturnType<typeof client>;
const BUDGET = 8192 - 512;

beforeAll(async () => {
  stack = await startWorker({ env: { LLM_CONTEXT_TOKENS: "8192", LLM_MAX_REPLY_TOKENS: "512" } });
  api = client(stack.url);
});
afterAll(() => stack?.close());

const promptTokens = (messages: { content: string }[]) => messages.reduce((n, m) => n + countTokens(m.content) + 4, 3);
/** Text of exactly `n` tokens, varied enough not to compress into few tokens. */
function textOf(n: number, marker: string): string {
  const words = Array.from({ length: n }, (_, i) => `w${(i * 7919) % 100000}`).join(" ");
  let text = `${marker} ${decode(encode(words).slice(0, Math.max(0, n - 40)))}`;
  while (countTokens(text) < n) text += " the";
  if (countTokens(text) !== n) throw new Error(`could not make ${n} tokens`);
  return text;
}

describe("a long message", () => {
  it("is refused with the limit when it cannot fit beside the character sheet, and nothing is stored", async () => {
    const me = await api.register();
    const sheet = unique("sheetword");
    const ch = await api.character(me, { description: `A keeper of ${sheet} lore. `.repeat(40) });
    expect((await api.say(me, ch.id, "hello")).status).toBe(200);
    const page = (await (await api.call(`/api/chats/${ch.id}/messages`, { as: me })).json()) as {
      messages: unknown[];
      maxMessageTokens: number;
    };
    expect(page.maxMessageTokens).toBeGreaterThan(1000);
    expect(page.maxMessageTokens).toBeLessThan(BUDGET);

    // Under the 32 KiB body limit, far over the window.
    const long = Array.from({ length: 6000 }, (_, i) => `w${(i * 7919) % 100000}`)
      .join(" ")
      .slice(0, 32_000);
    const refused = await api.say(me, ch.id, long);
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe("message_too_long");
    expect(refused.body.error.message).toContain(`${page.maxMessageTokens} tokens`);
    const after = (await (await api.call(`/api/chats/${ch.id}/messages`, { as: me })).json()) as { messages: unknown[] };
    expect(after.messages).toHaveLength(page.messages.length);

    // Exactly at the limit it is accepted; the prompt holds the whole sheet and stays in budget.
    const marker = unique("atlimit");
    const pin = await api.call(`/api/chats/${ch.id}/memories`, { method: "POST", as: me, json: { content: `remember ${unique("pin")}` } });
    expect(pin.status).toBe(201);
    const fits = await api.say(me, ch.id, textOf(page.maxMessageTokens, marker));
    expect(fits.status).toBe(200);
    const [prompt] = await promptsWith(marker);
    expect(promptTokens(prompt.messages)).toBeLessThanOrEqual(BUDGET);
    expect(prompt.messages[0].content.split(sheet).length - 1).toBe(40);
    // The limit follows the token calibration the last reply corrected (it can move by a token or two): one over the current limit is refused.
    const limit = ((await (await api.call(`/api/chats/${ch.id}/messages`, { as: me })).json()) as { maxMessageTokens: number })
      .maxMessageTokens;
    expect(Math.abs(limit - page.maxMessageTokens)).toBeLessThan(50);
    expect((await api.say(me, ch.id, textOf(limit + 1, unique("over")))).status).toBe(413);
  });

  it("is measured the same way when a message is edited", async () => {
    const me = await api.register();
    const ch = await api.character(me);
    const first = await api.say(me, ch.id, "short");
    const long = Array.from({ length: 6000 }, (_, i) => `w${(i * 7919) % 100000}`)
      .join(" ")
      .slice(0, 32_000);
    const edit = await api.call(`/api/chats/${ch.id}/messages/${first.body.userMessage.id}/edit`, {
      method: "POST",
      as: me,
      headers: { accept: "application/json" },
      json: { content: long },
    });
    expect(edit.status).toBe(413);
    const page = (await (await api.call(`/api/chats/${ch.id}/messages`, { as: me })).json()) as { messages: { content: string }[] };
    expect(page.messages.map((m) => m.content)).toContain("short");
  });
});

import { describe, expect, it } from "vitest";
import { choiceText, completion, completionChunk, DONE, readError, readUsage, usageChunk, wholeReplyFrames } from "./openai";
import { createSseParser } from "./sse";

const meta = { id: "chatcmpl-1", created: 1, model: "m" };

describe("OpenAI builders", () => {
  it("build chunks and completions in OpenAI's shape", () => {
    expect(completionChunk(meta, { content: "Hi" })).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null }],
    });
    expect(usageChunk(meta, { promptTokens: 2, completionTokens: 3 })).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
    });
    expect(completion(meta, "All", "length")).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { role: "assistant", content: "All" }, finish_reason: "length" }],
    });
  });

  it("stream a whole reply that the readers read back", () => {
    const events = createSseParser().push(wholeReplyFrames(meta, "Hi\nthere", { completionTokens: 4 }));
    expect(events.at(-1)?.data).toBe(DONE);
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as { choices: unknown[] });
    expect(chunks.map((c) => choiceText(c.choices[0]))).toEqual(["Hi\nthere", "", ""]);
    expect(chunks.map((c) => readUsage(c))).toEqual([undefined, undefined, { completionTokens: 4, promptTokens: 0 }]);
  });
});

describe("OpenAI readers", () => {
  it("read usage only when it carries a completion count", () => {
    expect(readUsage({ usage: { prompt_tokens: 11, completion_tokens: 4 } })).toEqual({ promptTokens: 11, completionTokens: 4 });
    expect(readUsage({ usage: { completion_tokens: 4 } })).toEqual({ completionTokens: 4, promptTokens: undefined });
    for (const none of [null, {}, { usage: null }, { usage: { prompt_tokens: 1 } }, { usage: { completion_tokens: "4" } }]) {
      expect(readUsage(none)).toBeUndefined();
    }
  });

  it("read OpenAI's and vLLM's error bodies, and nothing else", () => {
    expect(readError({ error: { code: "overloaded", message: "busy" } })).toEqual({ code: "overloaded", message: "busy" });
    expect(readError({ error: { type: "invalid_request_error" } })).toEqual({ code: "invalid_request_error", message: undefined });
    expect(readError({ object: "error", message: "too long", type: "BadRequestError", code: 400 })).toEqual({
      code: "BadRequestError",
      message: "too long",
    });
    for (const none of [null, "error", { choices: [] }, { message: "not an error" }]) expect(readError(none)).toBeUndefined();
  });

  it("read a choice's text from a delta or a whole message", () => {
    expect(choiceText({ delta: { content: "a" } })).toBe("a");
    expect(choiceText({ message: { content: "b" } })).toBe("b");
    for (const none of [undefined, {}, { delta: {} }, { delta: { content: 1 } }]) expect(choiceText(none)).toBe("");
  });
});

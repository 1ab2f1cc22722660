import { describe, expect, it } from "vitest";
import { completionJson, completionSse, legacyUsage, toLegacyRequest } from "./legacy";

describe("legacy mapping", () => {
  it("sends the last user message and the character id", () => {
    const body = {
      messages: [
        { role: "system", content: "You are Ada." },
        { role: "user", content: "first" },
        { role: "assistant", content: "hi" },
        { role: "user", content: [{ type: "text", text: "second" }] },
      ],
      metadata: { character_id: "c-42" },
    };
    expect(toLegacyRequest(body)).toEqual({ message: "second", character_id: "c-42" });
    expect(toLegacyRequest({ messages: [{ role: "user", content: "x" }], character_id: 7 })).toEqual({ message: "x", character_id: "7" });
  });

  it("renders a whole reply as an OpenAI completion and as a stream", () => {
    const meta = { id: "chatcmpl-1", created: 1, model: "legacy" };
    const usage = legacyUsage({ message: "hello", character_id: "" }, "Hi there, friend");
    expect(usage).toEqual({ promptTokens: 2, completionTokens: 4, estimated: true });
    expect(JSON.parse(completionJson(meta, "Hi", usage))).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { content: "Hi" } }],
    });
    const sse = completionSse(meta, "Hi", usage);
    expect(sse.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(sse).toContain('"delta":{"role":"assistant","content":"Hi"}');
    expect(sse).toContain('"usage":{"prompt_tokens":2,"completion_tokens":4,"total_tokens":6}');
  });
});

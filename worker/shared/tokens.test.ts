import { describe, expect, it } from "vitest";
import { estimateTokens, messageTokens, promptTokens, REPLY_PRIMING } from "./tokens";

describe("the message token formula", () => {
  it("adds each message's text and overhead to the reply's priming", () => {
    const words = (text: string) => text.split(" ").length;
    expect(messageTokens(10)).toBe(14);
    expect(promptTokens([], words)).toBe(REPLY_PRIMING);
    expect(promptTokens([{ content: "You are Ada." }, { content: "hi" }], words)).toBe(3 + (3 + 4) + (1 + 4));
  });

  it("estimates about four characters a token, rounding up", () => {
    expect([estimateTokens(""), estimateTokens("hey"), estimateTokens("hello"), estimateTokens("x".repeat(400))]).toEqual([0, 1, 2, 100]);
  });
});

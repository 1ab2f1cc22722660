import { describe, expect, it } from "vitest";
import { createStreamMeter } from "./usage";

const enc = (s: string) => new TextEncoder().encode(s);

describe("createStreamMeter", () => {
  it("finds the final usage chunk and the clean end", () => {
    const m = createStreamMeter();
    for (let i = 0; i < 20; i++) m.observe(enc(`data: {"choices":[{"delta":{"content":"t${i}"}}]}\n\n`));
    m.observe(enc('data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":20}}\n\ndata: [DONE]\n\n'));
    expect(m.finish()).toEqual({ promptTokens: 12, completionTokens: 20, estimated: false, done: true, events: 22 });
  });

  it("estimates by events without usage and notices a missing [DONE]", () => {
    const m = createStreamMeter();
    m.observe(enc('data: {"choices":[{"delta":{"content":"a"}}]}\n\n'));
    // Several events coalesced into one network chunk still count one by one.
    m.observe(enc('data: {"choices":[{"delta":{"content":"b"}}]}\n\ndata: {"choices":[{"delta":{"content":"c"}}]}\n\n'));
    expect(m.finish()).toEqual({ completionTokens: 3, estimated: true, done: false, events: 3 });
  });

  it("copes with events split across chunks", () => {
    const m = createStreamMeter();
    m.observe(enc('data: {"choices":[],"usage":{"prompt_'));
    m.observe(enc('tokens":1,"completion_tokens":3}}\n\ndata: [DO'));
    m.observe(enc("NE]\n\n"));
    // The usage line is only whole across chunks; the meter decodes them together.
    expect(m.finish()).toMatchObject({ completionTokens: 3, done: true });
  });

  it("reads a [DONE] whose closing blank line never came, and skips an event cut at the window's start", () => {
    const m = createStreamMeter();
    // Nine chunks, of which the meter keeps eight: the first kept one starts inside a usage event.
    m.observe(enc('data: {"choices":[],"usage":{"prompt_tokens'));
    m.observe(enc('":1,"completion_tokens":99}}\n\n'));
    for (let i = 0; i < 6; i++) m.observe(enc(`data: {"choices":[{"delta":{"content":"t${i}"}}]}\n\n`));
    m.observe(enc("data: [DONE]"));
    expect(m.finish()).toEqual({ completionTokens: 7, estimated: true, done: true, events: 8 });
  });
});

import { describe, expect, it } from "vitest";
import type { ChunkState } from "./openai";
import { applyChunk, readBatch } from "./openai";

describe("applyChunk", () => {
  it("returns delta content and ignores role-only chunks", () => {
    const state: ChunkState = {};
    expect(applyChunk('{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}', state)).toBe("");
    expect(applyChunk('{"choices":[{"index":0,"delta":{"content":"Hi "},"finish_reason":null}]}', state)).toBe("Hi ");
    expect(state).toEqual({});
  });

  it("records finish_reason and usage, also from OpenAI's separate usage chunk", () => {
    const state: ChunkState = {};
    expect(applyChunk('{"choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":null}', state)).toBe("");
    expect(applyChunk('{"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":4,"total_tokens":15}}', state)).toBe("");
    expect(state).toEqual({ finishReason: "length", usage: { promptTokens: 11, completionTokens: 4 } });
  });

  it("reads a whole chat.completion", () => {
    const state: ChunkState = {};
    const body =
      '{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"All of it"},"finish_reason":"stop"}]}';
    expect(applyChunk(body, state)).toBe("All of it");
    expect(state.finishReason).toBe("stop");
  });

  it("throws upstream_error for an error payload or malformed JSON", () => {
    expect(() => applyChunk('{"error":{"code":"overloaded","message":"x"}}', {})).toThrow(
      expect.objectContaining({ code: "upstream_error", upstreamCode: "overloaded" }),
    );
    expect(() => applyChunk("{not json", {})).toThrow(expect.objectContaining({ code: "upstream_error" }));
  });
});

describe("readBatch", () => {
  const chunk = (content: string) => `{"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}`;
  const events = (...data: string[]) => data.map((d) => ({ data: d }));

  it("joins the content of one read's chunks and counts them", () => {
    const state: ChunkState = {};
    const batch = readBatch(
      events(chunk("Hi "), '{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}', chunk('"you"\n')),
      state,
    );
    expect(batch).toMatchObject({ text: 'Hi "you"\n', frames: 2, done: false });
  });

  it("stops at [DONE] and keeps the finish reason and usage it read on the way", () => {
    const state: ChunkState = {};
    const batch = readBatch(
      events(
        chunk("end"),
        '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
        '{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}',
        "[DONE]",
        chunk("after"),
      ),
      state,
    );
    expect(batch).toMatchObject({ text: "end", frames: 1, done: true });
    expect(state).toEqual({ finishReason: "stop", usage: { promptTokens: 5, completionTokens: 1 } });
  });

  it("hands over the content before a failing chunk together with the failure", () => {
    const batch = readBatch(events(chunk("partial"), '{"error":{"code":"overloaded","message":"x"}}', chunk("never")), {});
    expect(batch).toMatchObject({ text: "partial", frames: 1 });
    expect(batch.failure).toMatchObject({ code: "upstream_error", upstreamCode: "overloaded" });
  });
});

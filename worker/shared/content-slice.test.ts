import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sliceContent } from "./content-slice";
import { completionChunk, usageChunk } from "./openai";

const meta = { id: "chatcmpl-1", created: 1700000000, model: "dev-llm" };

/** What JSON.parse makes of a chunk, when the slicer may answer for it at all: null when it must not. */
function parsedContent(data: string): string | null {
  let chunk: Record<string, unknown>;
  try {
    chunk = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof chunk !== "object" || chunk === null || Array.isArray(chunk)) return null;
  if (chunk.error !== undefined && chunk.error !== null) return null;
  const usage = chunk.usage as { prompt_tokens?: unknown } | null | undefined;
  if (typeof usage === "object" && usage !== null) return null;
  const choice = Array.isArray(chunk.choices) ? (chunk.choices[0] as Record<string, unknown> | undefined) : undefined;
  if (typeof choice !== "object" || choice === null || typeof choice.finish_reason === "string") return null;
  const delta = choice.delta as { content?: unknown } | undefined;
  return typeof delta === "object" && delta !== null && typeof delta.content === "string" ? delta.content : null;
}

/** Whenever the slicer answers, it answers what JSON.parse says, and its literal parses back to the text. */
function agrees(data: string): void {
  const sliced = sliceContent(data);
  if (sliced === null) return;
  expect(parsedContent(data)).toBe(sliced.text);
  expect(JSON.parse(sliced.json)).toBe(sliced.text);
}

const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string());
const anyValue = fc.oneof(scalar, fc.dictionary(fc.string(), scalar, { maxKeys: 2 }), fc.array(scalar, { maxLength: 2 }));
const text = fc.string({ unit: "binary" });
const delta = fc.oneof(
  fc.record({ content: text }),
  fc.record({ role: fc.constant("assistant"), content: text }),
  fc.record({ content: text, tool_calls: fc.array(anyValue, { maxLength: 1 }) }),
  fc.constant({}),
  fc.record({ content: fc.oneof(fc.constant(null), fc.integer()) }),
);
const choice = fc.record(
  {
    index: fc.nat(3),
    delta,
    logprobs: anyValue,
    finish_reason: fc.oneof(fc.constant(null), fc.constantFrom("stop", "length")),
    message: anyValue,
  },
  { requiredKeys: ["delta"] },
);
const chunk = fc.record(
  {
    id: fc.string(),
    object: fc.constant("chat.completion.chunk"),
    created: fc.integer(),
    model: fc.string(),
    system_fingerprint: scalar,
    choices: fc.oneof(fc.array(choice, { maxLength: 3 }), anyValue),
    usage: fc.oneof(fc.constant(null), fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat(), total_tokens: fc.nat() })),
    error: fc.oneof(fc.constant(null), fc.record({ code: fc.string(), message: fc.string() })),
    extra: anyValue,
  },
  { requiredKeys: ["choices"] },
);

describe("sliceContent", () => {
  it("reads the content of the chunks this project's servers send, as JSON.parse does", () => {
    fc.assert(
      fc.property(text, (content) => {
        const data = JSON.stringify(completionChunk(meta, { content }));
        const sliced = sliceContent(data);
        expect(sliced).not.toBeNull();
        expect(sliced?.text).toBe(content);
        expect(sliced?.json).toBe(JSON.stringify(content));
      }),
    );
  });

  it("keeps the upstream's own escapes in the literal (framed on as is)", () => {
    const data = '{"choices":[{"index":0,"delta":{"content":"caf\\u00e9 \\"x\\"\\n"},"logprobs":null,"finish_reason":null}]}';
    expect(sliceContent(data)).toEqual({ json: '"caf\\u00e9 \\"x\\"\\n"', text: 'café "x"\n' });
  });

  it("agrees with JSON.parse on any chunk-shaped object, whatever else it carries", () => {
    fc.assert(
      fc.property(chunk, (c) => agrees(JSON.stringify(c))),
      { numRuns: 2000 },
    );
  });

  it("agrees with JSON.parse on damaged chunks, or leaves them to it", () => {
    const damaged = fc.tuple(text, fc.nat(), fc.nat(40), fc.string({ maxLength: 4 })).map(([content, at, cut, insert]) => {
      const data = JSON.stringify(completionChunk(meta, { content }));
      const i = at % (data.length + 1);
      return data.slice(0, i) + insert + data.slice(Math.min(data.length, i + (cut % 3)));
    });
    fc.assert(fc.property(damaged, agrees), { numRuns: 3000 });
    fc.assert(fc.property(fc.string(), agrees), { numRuns: 1000 });
  });

  it("leaves to the parser what changes the stream's state: a finish, usage, an error, a role, no content", () => {
    for (const data of [
      JSON.stringify(completionChunk(meta, { content: "a" }, "stop")),
      JSON.stringify(usageChunk(meta, { promptTokens: 3, completionTokens: 1 })),
      JSON.stringify({ ...completionChunk(meta, { content: "a" }), usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      JSON.stringify({ ...completionChunk(meta, { content: "a" }), error: { code: "x", message: "y" } }),
      JSON.stringify(completionChunk(meta, { role: "assistant", content: "" })),
      JSON.stringify(completionChunk(meta, {})),
      '{"choices":[{"delta":{"content":"a"}}],"choices":[]}',
      '{"choices":[{"delta":{"content":"a"},"delta":null}]}',
      '{"x":{"choices":[{"delta":{"content":"a"}}]}}',
      '{"choices":[{"delta":{"content":"a"}}]xx}',
      "{not json",
    ])
      expect(sliceContent(data), data).toBeNull();
  });
});

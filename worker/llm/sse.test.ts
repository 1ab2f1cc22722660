import { describe, expect, it } from "vitest";
import type { SseEvent } from "./sse";
import { createSseParser } from "./sse";

/** Feeds every piece to one parser and returns all events in order. */
function feed(pieces: string[]): SseEvent[] {
  const parser = createSseParser();
  return pieces.flatMap((p) => parser.push(p));
}

describe("createSseParser", () => {
  it("parses data events separated by blank lines", () => {
    expect(feed(["data: one\n\ndata: two\n\n"])).toEqual([{ data: "one" }, { data: "two" }]);
  });

  it("keeps event and id fields per event", () => {
    expect(feed(['event: token\nid: 7\ndata: {"t":1}\n\ndata: x\n\n'])).toEqual([
      { event: "token", id: "7", data: '{"t":1}' },
      { data: "x" },
    ]);
  });

  it("joins multi-line data with newlines", () => {
    expect(feed(["data: a\ndata: b\ndata:\ndata:c\n\n"])).toEqual([{ data: "a\nb\n\nc" }]);
  });

  it("handles CRLF and lone CR line endings", () => {
    expect(feed(["data: a\r\n\r\ndata: b\r\rdata: c\n\n"])).toEqual([{ data: "a" }, { data: "b" }, { data: "c" }]);
  });

  it("handles a CRLF pair split across chunks", () => {
    expect(feed(["data: a\r", "\n\r", "\ndata: b\r\n\r\n"])).toEqual([{ data: "a" }, { data: "b" }]);
  });

  it("assembles events split at every possible point", () => {
    const text = 'event: e\r\ndata: {"x": "y"}\r\n\r\n: comment\ndata: [DONE]\n\n';
    const whole = feed([text]);
    expect(whole).toEqual([{ event: "e", data: '{"x": "y"}' }, { data: "[DONE]" }]);
    for (let i = 1; i < text.length; i++) {
      expect(feed([text.slice(0, i), text.slice(i)])).toEqual(whole);
    }
    expect(feed([...text])).toEqual(whole);
  });

  it("ignores comments, retry and unknown fields", () => {
    expect(feed([": keep-alive\n\nretry: 100\nfoo: bar\ndata: x\n\n"])).toEqual([{ data: "x" }]);
  });

  it("does not dispatch an event without data", () => {
    expect(feed(["event: ping\n\n", "id: 3\n\n"])).toEqual([]);
  });

  it("strips exactly one leading space from a value", () => {
    expect(feed(["data:  two spaces\n\n"])).toEqual([{ data: " two spaces" }]);
  });

  it("drops an event that is never closed by a blank line", () => {
    const parser = createSseParser();
    expect(parser.push("data: complete\n\ndata: partial")).toEqual([{ data: "complete" }]);
    expect(parser.push("\n")).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import type { SseEvent } from "./sse";
import { createSseParser, sseFrame } from "./sse";

/** Feeds every piece to one parser and returns all events in order. */
function feed(pieces: string[]): SseEvent[] {
  const parser = createSseParser();
  return pieces.flatMap((p) => parser.push(p));
}

describe("createSseParser", () => {
  it("parses data events separated by blank lines", () => {
    expect(feed(["data: one\n\ndata: two\n\n"])).toEqual([{ data: "one" }, { data: "two" }]);
  });

  it("keeps event and id fields per event; the next block without them has none", () => {
    expect(feed(['event: token\nid: 7\ndata: {"t":1}\n\ndata: x\n\n'])).toEqual([
      { event: "token", id: "7", data: '{"t":1}' },
      { data: "x" },
    ]);
  });

  it("joins multi-line data with newlines", () => {
    expect(feed(["data: a\ndata: b\ndata:\ndata:c\ndata\n\n"])).toEqual([{ data: "a\nb\n\nc\n" }]);
  });

  it("handles CRLF and lone CR line endings", () => {
    expect(feed(["data: a\r\n\r\ndata: b\r\rdata: c\n\n"])).toEqual([{ data: "a" }, { data: "b" }, { data: "c" }]);
  });

  it("handles a CRLF pair split across chunks", () => {
    expect(feed(["data: a\r", "\n\r", "\ndata: b\r\n\r\n"])).toEqual([{ data: "a" }, { data: "b" }]);
    expect(feed([": keep-alive\r\nid: 7\r", '\nevent: token\r\ndata: {"te', 'xt":"x"}\r\n\r\n'])).toEqual([
      { event: "token", data: '{"text":"x"}', id: "7" },
    ]);
  });

  it("assembles events split at every possible point", () => {
    const text = 'event: e\r\ndata: {"x": "y"}\r\n\r\n: comment\ndata: [DONE]\n\nid: 4\ndata: a\ndata: b\n\n';
    const whole = feed([text]);
    expect(whole).toEqual([{ event: "e", data: '{"x": "y"}' }, { data: "[DONE]" }, { id: "4", data: "a\nb" }]);
    for (let i = 1; i < text.length; i++) {
      expect(feed([text.slice(0, i), text.slice(i)])).toEqual(whole);
      for (let j = i + 1; j < text.length; j += 7) expect(feed([text.slice(0, i), text.slice(i, j), text.slice(j)])).toEqual(whole);
    }
    expect(feed([...text])).toEqual(whole);
  });

  it("joins a long line that arrives in many pieces", () => {
    const long = "x".repeat(10_000);
    const pieces = `data: ${long}\n\n`.match(/[\s\S]{1,7}/g) ?? [];
    expect(feed(pieces)).toEqual([{ data: long }]);
  });

  it("ignores comments, retry and unknown fields", () => {
    expect(feed([": keep-alive\n\nretry: 100\nfoo: bar\ndatum: y\ndata: x\n\n"])).toEqual([{ data: "x" }]);
  });

  it("does not dispatch an event without data, and an empty event name is no name", () => {
    expect(feed(["event: ping\n\n", "id: 3\n\n", "event:\ndata: x\n\n"])).toEqual([{ data: "x" }]);
  });

  it("strips exactly one leading space from a value, and ignores an id with NUL", () => {
    expect(feed(["data:  two spaces\nid: a\0b\n\n"])).toEqual([{ data: " two spaces" }]);
  });

  it("drops one leading byte order mark", () => {
    expect(feed(["\uFEFFdata: a\n\n", "\uFEFFdata: b\n\n"])).toEqual([{ data: "a" }]);
  });

  it("holds an event left unterminated at the end until flush", () => {
    const parser = createSseParser();
    expect(parser.push("data: complete\n\nevent: token\ndata: partial")).toEqual([{ data: "complete" }]);
    expect(parser.push("\n")).toEqual([]);
    expect(parser.flush()).toEqual([{ event: "token", data: "partial" }]);
    expect(parser.flush()).toEqual([]);
    expect(parser.push("data: cut off")).toEqual([]);
    expect(parser.flush()).toEqual([{ data: "cut off" }]);
  });
});

describe("sseFrame", () => {
  it("writes id, event and data, then the blank line", () => {
    expect(sseFrame('{"text":"Hi"}', "token", "t1.3")).toBe('id: t1.3\nevent: token\ndata: {"text":"Hi"}\n\n');
    expect(sseFrame("[DONE]")).toBe("data: [DONE]\n\n");
  });

  it("writes data with line breaks as several lines that parse back to the same text", () => {
    const data = "one\ntwo\r\nthree\rfour";
    expect(sseFrame(data, "x")).toBe("event: x\ndata: one\ndata: two\ndata: three\ndata: four\n\n");
    expect(feed([sseFrame(data, "x", "1")])).toEqual([{ event: "x", id: "1", data: "one\ntwo\nthree\nfour" }]);
  });
});

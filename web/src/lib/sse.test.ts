import { describe, expect, it } from "vitest";
import { createSseParser, toTurnEvent } from "./sse";

describe("createSseParser", () => {
  it("parses events with ids, joining data lines", () => {
    const push = createSseParser();
    const events = push('id: 1\nevent: token\ndata: {"text":"Hi"}\n\nid: 2\nevent: done\ndata: a\ndata: b\n\n');
    expect(events).toEqual([
      { event: "token", data: '{"text":"Hi"}', id: "1" },
      { event: "done", data: "a\nb", id: "2" },
    ]);
  });

  it("handles events split across chunks, CRLF and comments", () => {
    const push = createSseParser();
    expect(push(": keep-alive\r\nid: 7\r")).toEqual([]);
    expect(push('\nevent: token\r\ndata: {"te')).toEqual([]);
    expect(push('xt":"x"}\r\n\r\n')).toEqual([{ event: "token", data: '{"text":"x"}', id: "7" }]);
  });

  it("keeps the last id for events without one and ignores empty events", () => {
    const push = createSseParser();
    expect(push("id: 3\n\nevent: token\ndata: 1\n\n")).toEqual([{ event: "token", data: "1", id: "3" }]);
  });
});

describe("toTurnEvent", () => {
  it("parses known events and drops unknown or malformed ones", () => {
    expect(toTurnEvent({ event: "token", data: '{"text":"a"}', id: "1" })).toEqual({ event: "token", data: { text: "a" }, id: "1" });
    expect(toTurnEvent({ event: "ping", data: "{}", id: null })).toBeNull();
    expect(toTurnEvent({ event: "token", data: "{", id: null })).toBeNull();
  });
});

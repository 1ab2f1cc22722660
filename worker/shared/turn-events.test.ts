import { describe, expect, it } from "vitest";
import { createSseParser } from "./sse";
import { readTurnEvent, turnFrame } from "./turn-events";
import type { Message, TurnEvent } from "./wire";

const message: Message = { id: "m1", role: "assistant", content: "Hi", status: "complete", createdAt: "2026-01-01T00:00:00.000Z" };

describe("turn events", () => {
  it("read back what was written, with the frame's id", () => {
    const events: TurnEvent[] = [
      { event: "message", data: { message: { ...message, role: "user" } } },
      { event: "token", data: { text: "Hi\nthere" } },
      { event: "done", data: { message } },
      { event: "done", data: {} },
      { event: "error", data: { code: "upstream_timeout", message: "The language model took too long to answer.", partial: message } },
    ];
    const parsed = createSseParser().push(events.map((e, i) => turnFrame(`t.${i}`, e)).join(""));
    expect(parsed.map((e) => e.id)).toEqual(["t.0", "t.1", "t.2", "t.3", "t.4"]);
    expect(parsed.map(readTurnEvent)).toEqual(events);
  });

  it("drop events of other names, malformed JSON and fields of the wrong type", () => {
    for (const [event, data] of [
      ["ping", "{}"],
      ["token", "{"],
      ["token", '{"text":1}'],
      ["token", '"text"'],
      ["message", '{"message":{"id":"m"}}'],
      ["done", '{"message":null}'],
      ["error", '{"code":"internal"}'],
      ["error", '{"code":"internal","message":"x","partial":{}}'],
      [undefined, '{"text":"x"}'],
    ] as const) {
      expect(readTurnEvent({ event, data }), `${event} ${data}`).toBeNull();
    }
  });

  it("read an error code this client does not know as internal, keeping the message", () => {
    expect(readTurnEvent({ event: "error", data: '{"code":"brand_new","message":"Something new broke."}' })).toEqual({
      event: "error",
      data: { code: "internal", message: "Something new broke." },
    });
  });
});

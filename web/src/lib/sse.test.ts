import { describe, expect, it } from "vitest";
import { readTurnEvents, type TurnEventWithId } from "./sse";

/** Reads a response body that delivers `pieces` one read at a time. */
async function read(pieces: (string | Uint8Array)[]): Promise<TurnEventWithId[]> {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of pieces) c.enqueue(typeof p === "string" ? enc.encode(p) : p);
      c.close();
    },
  });
  const out: TurnEventWithId[] = [];
  for await (const e of readTurnEvents(body)) out.push(e);
  return out;
}

describe("readTurnEvents", () => {
  it("yields typed turn events with their ids, across split reads and multi-byte characters", async () => {
    const text = 'id: t.0\nevent: token\ndata: {"text":"Grüße"}\n\n: keep-alive\n\nid: t.1\nevent: token\r\ndata: {"text":"!"}\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    // Everything before "ü" is ASCII, so this byte index falls between the two bytes of "ü".
    const at = text.indexOf("ü") + 1;
    const out = await read([bytes.slice(0, at), bytes.slice(at, at + 1), bytes.slice(at + 1)]);
    expect(out).toEqual([
      { event: "token", data: { text: "Grüße" }, id: "t.0" },
      { event: "token", data: { text: "!" }, id: "t.1" },
    ]);
  });

  it("skips unknown and malformed events", async () => {
    expect(await read(["event: ping\ndata: {}\n\n", "event: token\ndata: {\n\n", 'event: token\ndata: {"text":"a"}\n\n'])).toEqual([
      { event: "token", data: { text: "a" }, id: null },
    ]);
  });

  it("still delivers a last event whose blank line never came", async () => {
    expect(await read(['id: t.4\nevent: error\ndata: {"code":"upstream_error","message":"The language model failed to answer."}'])).toEqual(
      [{ event: "error", data: { code: "upstream_error", message: "The language model failed to answer." }, id: "t.4" }],
    );
  });
});

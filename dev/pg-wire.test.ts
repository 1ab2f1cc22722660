import { describe, expect, it } from "vitest";
import { message, wireScanner } from "./pg-wire";

/** A stream of messages: a query, a ReadyForQuery in a transaction, a terminate. */
const stream = Buffer.concat([
  message("Q", Buffer.from("SELECT 1\0")),
  message("Z", Buffer.from("T")),
  message("C", Buffer.from("SELECT 1\0")),
  message("Z", Buffer.from("I")),
  message("X", Buffer.alloc(0)),
]);

function scanIn(chunks: Buffer[]) {
  const types: string[] = [];
  const ready: string[] = [];
  const scan = wireScanner(
    (t) => {
      types.push(String.fromCharCode(t));
      return t !== 0x58;
    },
    (s) => ready.push(String.fromCharCode(s)),
  );
  // As the pool does: nothing is scanned after a stop (the client is gone).
  const stops: number[] = [];
  for (const c of chunks) {
    stops.push(scan(c));
    if (stops.at(-1)! >= 0) break;
  }
  return { types, ready, stops };
}

describe("the wire scanner", () => {
  it("sees every message's type and each ReadyForQuery's status, and stops where asked", () => {
    const { types, ready, stops } = scanIn([stream]);
    expect(types).toEqual(["Q", "Z", "C", "Z", "X"]);
    expect(ready).toEqual(["T", "I"]);
    expect(stops).toEqual([stream.length - 5]);
  });

  it("reads the same when the stream arrives a byte at a time", () => {
    const bytes = [...stream].map((b) => Buffer.from([b]));
    const { types, ready, stops } = scanIn(bytes);
    expect(types).toEqual(["Q", "Z", "C", "Z", "X"]);
    expect(ready).toEqual(["T", "I"]);
    // The terminate's first byte is the chunk that stops, at its start.
    expect(stops.length).toBe(stream.length - 4);
    expect(stops.at(-1)).toBe(0);
    expect(stops.slice(0, -1).every((s) => s === -1)).toBe(true);
  });
});

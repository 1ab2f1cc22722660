import { describe, expect, it } from "vitest";
import { createChunkedDecoder } from "./chunked";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (parts: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(parts));

const PIECES = ["data: ", '{"a":1}\n\n{"b":22}\r\n\r\n'];
/** Each piece as a chunk (the second with an extension), the last chunk and a trailer. */
const WIRE = `${PIECES[0].length.toString(16)}\r\n${PIECES[0]}\r\n${PIECES[1].length.toString(16)};name=value\r\n${PIECES[1]}\r\n0\r\nX-Trailer: 1\r\n\r\n`;
const BODY = PIECES.join("");

describe("createChunkedDecoder", () => {
  it("gives the body of a whole message and says when it is done", () => {
    const d = createChunkedDecoder();
    expect(text(d.push(bytes(WIRE)))).toBe(BODY);
    expect(d.done).toBe(true);
  });

  it("gives the same body however the bytes are split", () => {
    const wire = bytes(WIRE);
    for (let cut = 1; cut < wire.length; cut++) {
      for (const step of [1, 3, cut]) {
        const d = createChunkedDecoder();
        const parts: Uint8Array[] = [];
        for (let i = 0; i < wire.length; i += step) parts.push(...d.push(wire.subarray(i, Math.min(wire.length, i + step))));
        expect(text(parts)).toBe(BODY);
        expect(d.done).toBe(true);
      }
    }
  });

  it("is not done before the last chunk and its empty trailer line", () => {
    const d = createChunkedDecoder();
    d.push(bytes("3\r\nabc\r\n0\r\n"));
    expect(d.done).toBe(false);
    d.push(bytes("\r\n"));
    expect(d.done).toBe(true);
  });

  it("refuses a size that is not hexadecimal and a chunk not followed by CRLF", () => {
    expect(() => createChunkedDecoder().push(bytes("zz\r\n"))).toThrow(/chunk size/);
    expect(() => createChunkedDecoder().push(bytes("3\r\nabcd\r\n"))).toThrow(/CRLF/);
  });
});

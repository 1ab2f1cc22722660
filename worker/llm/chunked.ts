/**
 * HTTP/1.1 chunked transfer decoding, incremental: bytes go in as the
 * socket gives them (a size line, a chunk or the final CRLF may be split
 * anywhere) and the body's bytes come out, as views of the input where
 * possible. Pure; used by the socket transport (http1.ts).
 */

export interface ChunkedDecoder {
  /** The body bytes in `input`; throws on malformed framing. */
  push(input: Uint8Array): Uint8Array[];
  /** The last chunk (size 0) and the trailers that follow it have been read. */
  readonly done: boolean;
}

const CR = 13;
const LF = 10;
/** A size line longer than this (with extensions) is refused. */
const MAX_LINE = 1024;

export function createChunkedDecoder(): ChunkedDecoder {
  let state: "size" | "data" | "data-end" | "trailer" | "done" = "size";
  let line = "";
  let left = 0;
  return {
    get done() {
      return state === "done";
    },
    push(input) {
      const out: Uint8Array[] = [];
      let i = 0;
      while (i < input.length && state !== "done") {
        if (state === "data") {
          const n = Math.min(left, input.length - i);
          out.push(input.subarray(i, i + n));
          i += n;
          left -= n;
          if (left === 0) state = "data-end";
          continue;
        }
        // A line: the chunk size, the CRLF after a chunk, or a trailer.
        const byte = input[i++];
        if (byte !== LF) {
          if (byte !== CR) line += String.fromCharCode(byte);
          if (line.length > MAX_LINE) throw new Error("chunked: line too long");
          continue;
        }
        const text = line;
        line = "";
        if (state === "data-end") {
          if (text !== "") throw new Error("chunked: no CRLF after a chunk");
          state = "size";
        } else if (state === "size") {
          const hex = text.split(";")[0].trim();
          if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) throw new Error("chunked: bad chunk size");
          left = Number.parseInt(hex, 16);
          state = left === 0 ? "trailer" : "data";
        } else if (text === "") {
          state = "done";
        }
      }
      return out;
    },
  };
}

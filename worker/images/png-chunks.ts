/**
 * PNG chunks through png-chunks-extract / png-chunks-encode (the libraries
 * SillyTavern reads and writes cards with; they check every chunk's CRC).
 * One guard comes first: the extractor allocates each chunk from its
 * declared length before looking at the file's size, so a 60-byte file
 * declaring a 2 GiB chunk would exhaust the isolate's memory. We walk the
 * lengths (no data copied) and refuse a file whose chunks do not fit. Pure.
 */
import encodeChunks from "png-chunks-encode";
import extractChunks from "png-chunks-extract";

export interface PngChunk {
  name: string;
  data: Uint8Array;
}

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_CHUNKS = 10_000;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Why the chunk layout cannot be read, or null when every chunk fits and IEND ends it. */
export function pngLayoutProblem(bytes: Uint8Array): string | null {
  if (!isPng(bytes)) return "The file is not a PNG.";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  for (let n = 0; n < MAX_CHUNKS; n++) {
    if (at + 12 > bytes.length) return "The PNG is truncated.";
    const length = view.getUint32(at);
    if (length > bytes.length - at - 12) return "The PNG is truncated.";
    const name = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (n === 0 && name !== "IHDR") return "The PNG does not start with its header (IHDR).";
    if (name === "IEND") return null;
    at += 12 + length;
  }
  return "The PNG has too many chunks.";
}

export type ChunksResult = { ok: true; chunks: PngChunk[] } | { ok: false; message: string };

/** The chunks of a PNG; a wrong CRC, a truncated file or a bad layout is a problem, not an exception. */
export function readChunks(bytes: Uint8Array): ChunksResult {
  const problem = pngLayoutProblem(bytes);
  if (problem) return { ok: false, message: problem };
  try {
    return { ok: true, chunks: extractChunks(bytes) };
  } catch (err) {
    const crc = err instanceof Error && /CRC/i.test(err.message);
    return { ok: false, message: crc ? "The PNG is damaged: a chunk's checksum (CRC) does not match." : "The PNG cannot be read." };
  }
}

export function writeChunks(chunks: PngChunk[]): Uint8Array {
  return encodeChunks(chunks);
}

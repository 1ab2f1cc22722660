/**
 * Metadata stripped from uploaded images before they are stored: text,
 * EXIF and XMP that may carry a location, a name or a whole character card.
 * What rendering needs stays (colour profile, transparency). A PNG goes
 * through the chunk library; JPEG segments and WebP RIFF chunks are walked
 * here, as no maintained library does only this (they decode and re-encode
 * the pixels, which costs more CPU than a worker has). Pure.
 */
import { ascii, type ImageKind } from "./image-kind";
import { readChunks, writeChunks } from "./png-chunks";

export type StripResult = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

/** PNG chunks that draw the picture; everything else (tEXt, zTXt, iTXt, eXIf, tIME, animation, private chunks) goes. */
const PNG_KEEP = new Set(["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs"]);

function stripPng(b: Uint8Array): StripResult {
  const read = readChunks(b);
  if (!read.ok) return read;
  return { ok: true, bytes: writeChunks(read.chunks.filter((c) => PNG_KEEP.has(c.name))) };
}

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** JPEG: keeps JFIF (APP0), an ICC profile (APP2) and Adobe's colour transform (APP14); drops other APPn and comments. */
function stripJpeg(b: Uint8Array): StripResult {
  const parts: Uint8Array[] = [b.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return { ok: false, message: "The JPEG is damaged." };
    const marker = b[at + 1];
    const length = (b[at + 2] << 8) | b[at + 3];
    if (length < 2 || at + 2 + length > b.length) return { ok: false, message: "The JPEG is truncated." };
    const segment = b.subarray(at, at + 2 + length);
    if (marker === 0xda) {
      // Start of scan: the compressed picture follows; keep it up to the last end-of-image marker.
      let end = b.length;
      for (let i = b.length - 2; i > at; i--)
        if (b[i] === 0xff && b[i + 1] === 0xd9) {
          end = i + 2;
          break;
        }
      parts.push(b.subarray(at, end));
      return { ok: true, bytes: concat(parts) };
    }
    const app = marker >= 0xe0 && marker <= 0xef;
    const keep =
      !app && marker !== 0xfe ? true : marker === 0xe0 || marker === 0xee || (marker === 0xe2 && ascii(b, at + 4, 12) === "ICC_PROFILE\0");
    if (keep) parts.push(segment);
    at += 2 + length;
  }
  return { ok: false, message: "The JPEG is truncated." };
}

/** WebP: drops the EXIF and XMP chunks and clears their flags in VP8X. */
function stripWebp(b: Uint8Array): StripResult {
  const parts: Uint8Array[] = [];
  let at = 12;
  while (at + 8 <= b.length) {
    const fourcc = ascii(b, at, 4);
    const size = (b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24)) >>> 0;
    const end = at + 8 + size + (size & 1);
    if (at + 8 + size > b.length) return { ok: false, message: "The WebP is truncated." };
    if (fourcc !== "EXIF" && fourcc !== "XMP ") {
      const chunk = b.slice(at, Math.min(end, b.length));
      if (fourcc === "VP8X" && size >= 1) chunk[8] &= ~(0x08 | 0x04);
      parts.push(chunk);
    }
    at = end;
  }
  if (parts.length === 0) return { ok: false, message: "The WebP holds no image." };
  const body = concat(parts);
  const out = new Uint8Array(12 + body.length);
  out.set(b.subarray(0, 12));
  new DataView(out.buffer).setUint32(4, 4 + body.length, true);
  out.set(body, 12);
  return { ok: true, bytes: out };
}

export function stripMetadata(kind: ImageKind, bytes: Uint8Array): StripResult {
  return kind === "png" ? stripPng(bytes) : kind === "jpeg" ? stripJpeg(bytes) : stripWebp(bytes);
}

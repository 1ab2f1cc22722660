/**
 * Character cards inside PNG images, as SillyTavern and chub share them: a
 * `tEXt` chunk `chara` holding the V2 card and `ccv3` holding the V3 card,
 * each base64 of UTF-8 JSON. On reading, V3 wins when both are there; on
 * writing, both go in just before IEND. Pure.
 */
import { decode as decodeText, encode as encodeText } from "png-chunk-text";
import { readChunks, writeChunks } from "../images/png-chunks";

export type PngCardResult = { ok: true; json: string; keyword: "ccv3" | "chara" } | { ok: false; message: string };

const CARD_KEYWORDS = ["ccv3", "chara"] as const;

export function base64OfUtf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function utf8OfBase64(b64: string): string | null {
  let binary: string;
  try {
    binary = atob(b64.trim());
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The card JSON a PNG carries (its `ccv3` chunk, else its `chara` chunk). */
export function readPngCard(bytes: Uint8Array): PngCardResult {
  const read = readChunks(bytes);
  if (!read.ok) return read;
  const texts = new Map<string, string>();
  for (const c of read.chunks) {
    if (c.name !== "tEXt") continue;
    try {
      const { keyword, text } = decodeText(c.data);
      const k = keyword.toLowerCase();
      if (!texts.has(k)) texts.set(k, text);
    } catch {
      // A malformed text chunk that is not a card is not our concern.
    }
  }
  for (const keyword of CARD_KEYWORDS) {
    const b64 = texts.get(keyword);
    if (b64 === undefined) continue;
    const json = utf8OfBase64(b64);
    if (json === null) return { ok: false, message: `The PNG's ${keyword} chunk is not base64 of UTF-8 text.` };
    return { ok: true, json, keyword };
  }
  return { ok: false, message: "The PNG carries no character card (no chara or ccv3 chunk)." };
}

/** `image` (a PNG) carrying the card as `chara` (V2) and `ccv3` (V3); any card chunks it had are replaced. */
export function writePngCard(image: Uint8Array, v2: unknown, v3: unknown): Uint8Array {
  const read = readChunks(image);
  if (!read.ok) throw new Error(`writePngCard: ${read.message}`);
  const chunks = read.chunks.filter((c) => {
    if (c.name !== "tEXt") return true;
    try {
      return !CARD_KEYWORDS.includes(decodeText(c.data).keyword.toLowerCase() as (typeof CARD_KEYWORDS)[number]);
    } catch {
      return true;
    }
  });
  const end = chunks.findIndex((c) => c.name === "IEND");
  chunks.splice(end, 0, encodeText("chara", base64OfUtf8(JSON.stringify(v2))), encodeText("ccv3", base64OfUtf8(JSON.stringify(v3))));
  return writeChunks(chunks);
}

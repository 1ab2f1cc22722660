/**
 * A small PNG encoder for images made in code (sample avatars, the test
 * corpus): RGB pixels, zlib from Node, its own CRC. Independent of the
 * worker's PNG code on purpose, so the corpus does not test that code with
 * its own output. Node only.
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One chunk: length, type, data, CRC over type and data. */
export function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A `tEXt` chunk: keyword, NUL, Latin-1 text. */
export function textChunk(keyword: string, text: string): Buffer {
  return chunk("tEXt", Buffer.from(`${keyword}\0${text}`, "latin1"));
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG of `width`×`height` RGB pixels from `pixel(x, y)`, with extra chunks before IEND. */
export function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
  extra: Buffer[] = [],
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  return Buffer.concat([SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), ...extra, chunk("IEND", new Uint8Array(0))]);
}

/** A simple avatar: a two-colour gradient with a disc, distinct per seed. */
export function avatarPng(seed: number, size = 128, extra: Buffer[] = []): Buffer {
  const hue = (seed * 67) % 360;
  const rgb = (h: number, l: number): [number, number, number] => {
    const f = (n: number) => {
      const k = (n + h / 30) % 12;
      return Math.round(255 * (l - 0.45 * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
    };
    return [f(0), f(8), f(4)];
  };
  const c = size / 2;
  return encodePng(
    size,
    size,
    (x, y) => {
      const d = Math.hypot(x - c, y - c * 0.85);
      if (d < size * 0.28) return rgb((hue + 180) % 360, 0.75);
      if (y > size * 0.72 && Math.abs(x - c) < size * 0.35) return rgb((hue + 180) % 360, 0.6);
      return rgb(hue, 0.3 + (0.3 * y) / size);
    },
    extra,
  );
}

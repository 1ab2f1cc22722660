import { describe, expect, it } from "vitest";
import { avatarPng, chunk, textChunk } from "../../dev/png-encode";
import { prepareAvatar } from "./avatar-image";
import { imageKind, imageSize } from "./image-kind";
import { readChunks } from "./png-chunks";

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");

/** A JPEG skeleton: SOI, APP0 JFIF, APP1 Exif, COM, APP2 ICC, SOF0 (w×h), SOS, scan bytes, EOI, trailing bytes. */
function jpeg(width: number, height: number): Uint8Array {
  const seg = (marker: number, body: string | number[]) => {
    const data = typeof body === "string" ? Buffer.from(body, "latin1") : Buffer.from(body);
    return Buffer.concat([Buffer.from([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff]), data]);
  };
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe0, "JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
    seg(0xe1, "Exif\0\0GPS 51.5N secret-camera-serial"),
    seg(0xfe, "a comment with a name"),
    seg(0xe2, "ICC_PROFILE\0\x01\x01profile-bytes"),
    seg(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    seg(0xda, [1, 1, 0, 0, 0x3f, 0]),
    Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]),
    Buffer.from([0xff, 0xd9]),
    Buffer.from("trailing data after the image", "latin1"),
  ]);
}

/** A WebP skeleton: RIFF, VP8X (EXIF and XMP flags set), VP8L (w×h), EXIF, XMP. */
function webp(width: number, height: number): Uint8Array {
  const ck = (fourcc: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(fourcc, 0, "latin1");
    head.writeUInt32LE(data.length, 4);
    return Buffer.concat([head, data, data.length % 2 ? Buffer.from([0]) : Buffer.alloc(0)]);
  };
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x08 | 0x04;
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const vp8l = Buffer.alloc(6);
  vp8l[0] = 0x2f;
  vp8l.writeUInt32LE(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14), 1);
  const body = Buffer.concat([
    ck("VP8X", vp8x),
    ck("VP8L", vp8l),
    ck("EXIF", Buffer.from("GPS 51.5N")),
    ck("XMP ", Buffer.from("<x:xmpmeta>me</x:xmpmeta>")),
  ]);
  const riff = Buffer.alloc(12);
  riff.write("RIFF", 0, "latin1");
  riff.writeUInt32LE(4 + body.length, 4);
  riff.write("WEBP", 8, "latin1");
  return Buffer.concat([riff, body]);
}

describe("imageKind and imageSize", () => {
  it("tells the kind by magic bytes and reads the size", () => {
    const png = avatarPng(1, 40);
    expect(imageKind(png)).toBe("png");
    expect(imageSize("png", png)).toEqual({ width: 40, height: 40 });
    expect(imageKind(jpeg(30, 20))).toBe("jpeg");
    expect(imageSize("jpeg", jpeg(30, 20))).toEqual({ width: 30, height: 20 });
    expect(imageKind(webp(300, 200))).toBe("webp");
    expect(imageSize("webp", webp(300, 200))).toEqual({ width: 300, height: 200 });
  });

  it("knows nothing else: HTML, SVG, GIF", () => {
    for (const t of ["<html><script>alert(1)</script>", "<svg xmlns='http://www.w3.org/2000/svg'/>", "GIF89a...."])
      expect(imageKind(Buffer.from(t))).toBeNull();
  });
});

describe("prepareAvatar", () => {
  it("strips PNG text, EXIF and time chunks and keeps the picture", () => {
    const png = avatarPng(2, 32, [
      textChunk("Comment", "by Sam at 51.5N"),
      chunk("eXIf", Buffer.from("MM\0*GPS")),
      chunk("tIME", Buffer.alloc(7)),
    ]);
    const r = prepareAvatar(png);
    if (!r.ok) throw new Error(r.message);
    expect(r).toMatchObject({ kind: "png", contentType: "image/png", width: 32, height: 32 });
    const names = (b: Uint8Array) => (readChunks(b) as { chunks: { name: string; data: Uint8Array }[] }).chunks.map((c) => c.name);
    expect(names(r.bytes)).toEqual(["IHDR", "IDAT", "IEND"]);
    expect(latin1(r.bytes)).not.toContain("51.5N");
    const idat = (b: Uint8Array) =>
      (readChunks(b) as { chunks: { name: string; data: Uint8Array }[] }).chunks.find((c) => c.name === "IDAT")!.data;
    expect(Buffer.from(idat(r.bytes)).equals(Buffer.from(idat(png)))).toBe(true);
  });

  it("strips JPEG EXIF, comments and data after the image; keeps JFIF, the ICC profile and the scan", () => {
    const r = prepareAvatar(jpeg(64, 48));
    if (!r.ok) throw new Error(r.message);
    const text = latin1(r.bytes);
    expect(text).not.toContain("GPS");
    expect(text).not.toContain("a comment");
    expect(text).not.toContain("trailing");
    expect(text).toContain("JFIF");
    expect(text).toContain("ICC_PROFILE");
    expect(Array.from(r.bytes.subarray(-7))).toEqual([0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]);
    expect(imageSize("jpeg", r.bytes)).toEqual({ width: 64, height: 48 });
  });

  it("strips WebP EXIF and XMP chunks and clears their flags", () => {
    const r = prepareAvatar(webp(100, 80));
    if (!r.ok) throw new Error(r.message);
    const text = latin1(r.bytes);
    expect(text).not.toContain("EXIF");
    expect(text).not.toContain("xmpmeta");
    expect(r.bytes[20] & 0x0c).toBe(0);
    expect(Buffer.from(r.bytes).readUInt32LE(4)).toBe(r.bytes.length - 8);
    expect(imageSize("webp", r.bytes)).toEqual({ width: 100, height: 80 });
  });

  it("refuses what is not an image, a picture over 4096 on a side, and a damaged file", () => {
    expect(prepareAvatar(Buffer.from("<html></html>"))).toMatchObject({ ok: false, code: "unsupported_media_type" });
    const big = Buffer.from(avatarPng(3, 8));
    big.writeUInt32BE(5000, 16);
    expect(prepareAvatar(big)).toMatchObject({ ok: false, code: "image_too_large" });
    const crc = Buffer.from(avatarPng(3, 8));
    crc[40] ^= 1;
    expect(prepareAvatar(crc)).toMatchObject({ ok: false, code: "invalid_image" });
    expect(prepareAvatar(jpeg(10, 10).subarray(0, 30))).toMatchObject({ ok: false, code: "invalid_image" });
    expect(prepareAvatar(webp(10, 10).subarray(0, 40))).toMatchObject({ ok: false, code: "invalid_image" });
  });
});

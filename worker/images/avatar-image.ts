/**
 * An uploaded avatar made safe to store and serve: a PNG, JPEG or WebP by
 * its magic bytes, within the size limits, with its metadata stripped.
 * Pure; expected failures come back as an error code of the table.
 */
import type { ErrorCode } from "../errors";
import { CONTENT_TYPES, type ImageKind, imageKind, imageSize } from "./image-kind";
import { stripMetadata } from "./strip-metadata";

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
export const AVATAR_MAX_SIDE = 4096;

export type AvatarResult =
  | { ok: true; bytes: Uint8Array; kind: ImageKind; contentType: string; width: number; height: number }
  | { ok: false; code: Extract<ErrorCode, "unsupported_media_type" | "invalid_image" | "image_too_large">; message: string };

export function prepareAvatar(bytes: Uint8Array): AvatarResult {
  const kind = imageKind(bytes);
  if (!kind) return { ok: false, code: "unsupported_media_type", message: "Avatars must be PNG, JPEG or WebP images." };
  const size = imageSize(kind, bytes);
  if (!size || size.width < 1 || size.height < 1)
    return { ok: false, code: "invalid_image", message: `The ${kind.toUpperCase()} has no readable size.` };
  if (size.width > AVATAR_MAX_SIDE || size.height > AVATAR_MAX_SIDE)
    return {
      ok: false,
      code: "image_too_large",
      message: `The image is ${size.width}×${size.height}; at most ${AVATAR_MAX_SIDE} pixels on a side.`,
    };
  const stripped = stripMetadata(kind, bytes);
  if (!stripped.ok) return { ok: false, code: "invalid_image", message: stripped.message };
  return { ok: true, bytes: stripped.bytes, kind, contentType: CONTENT_TYPES[kind], ...size };
}

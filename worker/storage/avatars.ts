/**
 * Avatars in object storage (R2), keyed by the SHA-256 of their bytes: the
 * same image is stored once, and a key never changes meaning, so it can be
 * cached forever.
 */
import { avatarInUse } from "../db/characters";
import type { Db } from "../db/client";

const objectKey = (key: string) => `avatars/${key}`;
export const AVATAR_KEY = /^[0-9a-f]{64}$/;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Stores an (already checked and stripped) image; returns its key. */
export async function putAvatar(bucket: R2Bucket, bytes: Uint8Array, contentType: string): Promise<string> {
  const key = await sha256Hex(bytes);
  if (!(await bucket.head(objectKey(key)))) await bucket.put(objectKey(key), bytes, { httpMetadata: { contentType } });
  return key;
}

export async function getAvatar(bucket: R2Bucket, key: string): Promise<R2ObjectBody | null> {
  return bucket.get(objectKey(key));
}

/** Removes the object once no character shows it (a replaced or deleted avatar). */
export async function dropAvatarIfUnused(bucket: R2Bucket, db: Db, key: string | null): Promise<void> {
  if (key && !(await avatarInUse(db, key))) await bucket.delete(objectKey(key));
}

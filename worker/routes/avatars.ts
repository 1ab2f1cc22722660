/**
 * Serving avatars: public and content-addressed (an `<img>` cannot send a
 * token; the key is the SHA-256 of the image, so it is unguessable and never
 * changes). Sent with the stored image type, nosniff and a sandboxing CSP so
 * a browser never treats one as a page, and cached for good.
 */
import { Hono } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "../resources";
import { AVATAR_KEY, getAvatar } from "../storage/avatars";

const TYPES = new Set(["image/png", "image/jpeg", "image/webp"]);

export const avatarServeRoutes = new Hono<AppEnv>().get("/:key", async (c) => {
  const key = c.req.param("key");
  if (!AVATAR_KEY.test(key)) throw new AppError("not_found");
  const headers: Record<string, string> = {
    "Cache-Control": "public, max-age=31536000, immutable",
    ETag: `"${key}"`,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": "inline",
  };
  if (c.req.header("If-None-Match") === `"${key}"`) return c.body(null, 304, headers);
  const object = await getAvatar(c.env.AVATARS, key);
  const type = object?.httpMetadata?.contentType;
  if (!object || !type || !TYPES.has(type)) throw new AppError("not_found");
  return c.body(object.body, 200, { ...headers, "Content-Type": type, "Content-Length": String(object.size) });
});

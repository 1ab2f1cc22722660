/** A character's avatar, set and removed by its creator (the image is checked and its metadata stripped first). */
import { Hono } from "hono";
import { toCharacter, updateCharacter } from "../db/characters";
import { AppError } from "../errors";
import { readBytes } from "../http/body";
import { AVATAR_MAX_BYTES, prepareAvatar } from "../images/avatar-image";
import type { AppEnv } from "../resources";
import { dropAvatarIfUnused, putAvatar } from "../storage/avatars";
import { dropCached, ownCharacter } from "./character-access";

export const avatarRoutes = new Hono<AppEnv>()
  .put("/:id/avatar", async (c) => {
    const row = await ownCharacter(c, c.req.param("id"));
    const image = prepareAvatar(await readBytes(c.req.raw, AVATAR_MAX_BYTES));
    if (!image.ok) throw new AppError(image.code, { message: image.message });
    const key = await putAvatar(c.env.AVATARS, image.bytes, image.contentType);
    const updated = await updateCharacter(c.var.db(), row.id, { avatarKey: key });
    if (!updated) throw new AppError("character_not_found");
    if (row.avatarKey !== key) await dropAvatarIfUnused(c.env.AVATARS, c.var.db(), row.avatarKey);
    await dropCached(c, row.id);
    return c.json({ character: toCharacter(updated) });
  })
  .delete("/:id/avatar", async (c) => {
    const row = await ownCharacter(c, c.req.param("id"));
    const updated = await updateCharacter(c.var.db(), row.id, { avatarKey: null });
    if (!updated) throw new AppError("character_not_found");
    await Promise.all([dropAvatarIfUnused(c.env.AVATARS, c.var.db(), row.avatarKey), dropCached(c, row.id)]);
    return c.json({ character: toCharacter(updated) });
  });

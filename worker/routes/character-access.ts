/** Who may read or change a character, and telling caches and conversations that it changed. */
import type { Context } from "hono";
import { cacheCharacter, dropCachedCharacter, getCachedCharacter } from "../cache/characters";
import { type CharacterRow, findCharacter } from "../db/characters";
import { characterChatPairs } from "../db/export";
import { AppError } from "../errors";
import { isUuid } from "../ids";
import type { AppEnv } from "../resources";
import { sessionStub } from "../session/stub";

/** A character the caller may read (public or own), or 404. */
export async function readableCharacter(c: Context<AppEnv>, id: string, cached = false): Promise<CharacterRow> {
  if (!isUuid(id)) throw new AppError("character_not_found");
  const redis = cached ? await c.var.redis.get() : null;
  let row = await getCachedCharacter(redis, id);
  if (!row) {
    row = (await findCharacter(c.var.db(), id)) ?? null;
    if (row) await cacheCharacter(redis, row);
  }
  if (!row || (row.visibility !== "public" && row.creatorId !== c.var.userId)) throw new AppError("character_not_found");
  return row;
}

/** A character the caller created: 404 if they cannot see it, 403 if they only can see it. */
export async function ownCharacter(c: Context<AppEnv>, id: string): Promise<CharacterRow> {
  const row = await readableCharacter(c, id);
  if (row.creatorId !== c.var.userId) throw new AppError("forbidden");
  return row;
}

export async function dropCached(c: Context<AppEnv>, id: string): Promise<void> {
  await dropCachedCharacter(await c.var.redis.get(), id);
}

/** The session objects that keep this character hot read it again on their next turn. */
export async function refreshSessions(c: Context<AppEnv>, id: string): Promise<void> {
  const pairs = await characterChatPairs(c.var.db(), id);
  await Promise.all(pairs.map((p) => sessionStub(c.env, p.userId, id).refreshCharacter()));
}

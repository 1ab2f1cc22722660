/**
 * The character cache in Redis (1 hour, dropped on change), used by the
 * seed's GET /api/character/:id. Rows are cached with their visibility and
 * creator, so access is still checked on every read.
 */
import type Redis from "ioredis";
import type { CharacterRow } from "../db/characters";

export const CHARACTER_TTL_SECONDS = 3600;
const key = (id: string) => `character:${id}`;

export async function getCachedCharacter(redis: Redis | null, id: string): Promise<CharacterRow | null> {
  if (!redis) return null;
  try {
    const raw = await redis.get(key(id));
    return raw ? (JSON.parse(raw) as CharacterRow) : null;
  } catch {
    return null;
  }
}

export async function cacheCharacter(redis: Redis | null, row: CharacterRow): Promise<void> {
  if (!redis) return;
  try {
    await redis.set(key(row.id), JSON.stringify(row), "EX", CHARACTER_TTL_SECONDS);
  } catch {
    /* cache is optional */
  }
}

export async function dropCachedCharacter(redis: Redis | null, id: string): Promise<void> {
  if (!redis) return;
  try {
    await redis.del(key(id));
  } catch {
    /* the TTL bounds staleness */
  }
}

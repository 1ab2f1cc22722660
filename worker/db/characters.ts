/** Characters in PostgreSQL. */
import { and, desc, eq, ilike, lt, or, sql } from "drizzle-orm";
import type { CharacterSnapshot } from "../context/system-prompt";
import type { Character } from "../shared/wire";
import type { Db } from "./client";
import { characters } from "./schema";

export type CharacterRow = typeof characters.$inferSelect;

export function toCharacter(row: CharacterRow): Character {
  return {
    id: row.id,
    creatorId: row.creatorId,
    name: row.name,
    tagline: row.tagline,
    description: row.description,
    greeting: row.greeting,
    scenario: row.scenario,
    exampleDialogues: row.exampleDialogues,
    visibility: row.visibility,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

export async function findCharacter(db: Db, id: string): Promise<CharacterRow | undefined> {
  return (await db.select().from(characters).where(eq(characters.id, id)).limit(1))[0];
}

/** The row, or null when there is none (undefined is left for "could not ask"). */
export async function findCharacterOrNull(db: Db, id: string): Promise<CharacterRow | null> {
  return (await findCharacter(db, id)) ?? null;
}

/** Public characters and the caller's own, newest first, `limit + 1` rows to tell if there is more. */
export async function listCharacters(
  db: Db,
  userId: string,
  opts: { q?: string; cursor?: string; limit: number },
): Promise<CharacterRow[]> {
  const visible = or(eq(characters.visibility, "public"), eq(characters.creatorId, userId));
  const conditions = [visible];
  if (opts.q) conditions.push(ilike(characters.name, `%${opts.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`));
  if (opts.cursor) conditions.push(lt(characters.id, opts.cursor));
  return db
    .select()
    .from(characters)
    .where(and(...conditions))
    .orderBy(desc(characters.id))
    .limit(opts.limit + 1);
}

export async function insertCharacter(db: Db, row: typeof characters.$inferInsert): Promise<CharacterRow> {
  return (await db.insert(characters).values(row).returning())[0];
}

export async function updateCharacter(
  db: Db,
  id: string,
  patch: Partial<typeof characters.$inferInsert>,
): Promise<CharacterRow | undefined> {
  return (
    await db
      .update(characters)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(characters.id, id))
      .returning()
  )[0];
}

export async function deleteCharacter(db: Db, id: string): Promise<void> {
  await db.delete(characters).where(eq(characters.id, id));
}

/** What a session object keeps of its character. */
export function toSnapshot(row: CharacterRow): CharacterSnapshot {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    greeting: row.greeting,
    scenario: row.scenario,
    exampleDialogues: row.exampleDialogues,
    model: row.model,
    updatedAt: new Date(row.updatedAt).toISOString(),
    visibility: row.visibility,
    creatorId: row.creatorId,
  };
}

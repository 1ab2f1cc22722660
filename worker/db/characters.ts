/** Characters in PostgreSQL: the catalogue (search, tags, sort), reads and writes. */
import { and, desc, eq, getTableColumns, lt, or, type SQL, sql } from "drizzle-orm";
import { definitionOf } from "../characters/definition";
import type { CharacterSnapshot } from "../context/system-prompt";
import type { Character } from "../shared/wire";
import type { Db } from "./client";
import { characters, chatSessions } from "./schema";

/** A character row as read (without the generated search column). */
export type CharacterRow = Omit<typeof characters.$inferSelect, "search">;
type Selected = CharacterRow;

export const avatarUrl = (key: string | null) => (key ? `/api/avatars/${key}` : null);

export function toCharacter(row: Selected): Character {
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
    avatarUrl: avatarUrl(row.avatarKey ?? null),
    tags: row.tags ?? [],
  };
}

/** Every column but the generated search vector, which is never read back. */
const { search: _search, ...columns } = getTableColumns(characters);

export async function findCharacter(db: Db, id: string): Promise<Selected | undefined> {
  return (await db.select(columns).from(characters).where(eq(characters.id, id)).limit(1))[0];
}

/** The row, or null when there is none (undefined is left for "could not ask"). */
export async function findCharacterOrNull(db: Db, id: string): Promise<Selected | null> {
  return (await findCharacter(db, id)) ?? null;
}

export type CatalogueSort = "recent" | "popular" | "relevance";

export interface CatalogueQuery {
  q?: string;
  tag?: string;
  sort: CatalogueSort;
  /** recent: the last id seen; popular and relevance: how many rows were seen. */
  after?: { id: string } | { offset: number };
  limit: number;
}

/** Prefix terms for to_tsquery from free text: letters and digits only, so the query can never be malformed. */
export function searchTerms(q: string): string | null {
  const words = (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8);
  return words.length ? words.map((w) => `${w}:*`).join(" & ") : null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/**
 * Public characters and the caller's own: matching `q` by name (substring)
 * or by full text over name, tags, tagline and description; with `tag`;
 * sorted by rank, conversations or recency. `limit + 1` rows to tell if there is more.
 */
export async function listCharacters(db: Db, userId: string, opts: CatalogueQuery): Promise<Selected[]> {
  const conditions: (SQL | undefined)[] = [or(eq(characters.visibility, "public"), eq(characters.creatorId, userId))];
  let rank: SQL = sql`0`;
  if (opts.q) {
    const nameMatch = sql`${characters.name} ilike ${`%${escapeLike(opts.q)}%`}`;
    const terms = searchTerms(opts.q);
    const query = terms ? sql`(to_tsquery('simple', ${terms}) || to_tsquery('english', ${terms}))` : null;
    conditions.push(query ? or(nameMatch, sql`${characters.search} @@ ${query}`) : nameMatch);
    rank = query ? sql`ts_rank(${characters.search}, ${query}) + (case when ${nameMatch} then 1 else 0 end)` : sql`0`;
  }
  if (opts.tag) conditions.push(sql`${characters.tags} @> ${JSON.stringify([opts.tag])}::jsonb`);
  const chats = sql`(select count(*) from ${chatSessions} where ${chatSessions.characterId} = ${characters.id})`;
  const after = opts.after;
  if (opts.sort === "recent" && after && "id" in after) conditions.push(lt(characters.id, after.id));
  const order = opts.sort === "recent" ? [desc(characters.id)] : [desc(opts.sort === "popular" ? chats : rank), desc(characters.id)];
  const query = db
    .select(columns)
    .from(characters)
    .where(and(...conditions))
    .orderBy(...order)
    .limit(opts.limit + 1);
  return after && "offset" in after ? query.offset(after.offset) : query;
}

/** The most used tags among the characters the caller may see. */
export async function listTags(db: Db, userId: string, limit = 30): Promise<{ tag: string; count: number }[]> {
  const rows = await db.execute<{ tag: string; count: string }>(sql`
    select t.tag, count(*) as count
      from ${characters} c, jsonb_array_elements_text(c.tags) as t(tag)
     where c.visibility = 'public' or c.creator_id = ${userId}
     group by t.tag order by count(*) desc, t.tag limit ${limit}`);
  return rows.map((r) => ({ tag: r.tag, count: Number(r.count) }));
}

export async function insertCharacter(db: Db, row: typeof characters.$inferInsert): Promise<Selected> {
  return (await db.insert(characters).values(row).returning(columns))[0];
}

export async function updateCharacter(db: Db, id: string, patch: Partial<typeof characters.$inferInsert>): Promise<Selected | undefined> {
  return (
    await db
      .update(characters)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(characters.id, id))
      .returning(columns)
  )[0];
}

export async function deleteCharacter(db: Db, id: string): Promise<void> {
  await db.delete(characters).where(eq(characters.id, id));
}

/** Whether the catalogue has any character at all (samples are seeded only into an empty one). */
export async function hasCharacters(db: Db): Promise<boolean> {
  return (await db.select({ id: characters.id }).from(characters).limit(1)).length > 0;
}

/** Whether any character still shows this avatar (objects are shared by content). */
export async function avatarInUse(db: Db, key: string): Promise<boolean> {
  return (await db.select({ id: characters.id }).from(characters).where(eq(characters.avatarKey, key)).limit(1)).length > 0;
}

/** What a session object keeps of its character. */
export function toSnapshot(row: Selected): CharacterSnapshot {
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
    definition: definitionOf(row, row.card),
  };
}

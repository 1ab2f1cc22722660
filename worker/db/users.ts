/** Users and refresh tokens in PostgreSQL. */
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { User } from "../shared/wire";
import type { Db } from "./client";
import { refreshTokens, users } from "./schema";

export type UserRow = typeof users.$inferSelect;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    displayName: row.displayName,
    persona: row.persona,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return (await db.select().from(users).where(eq(users.id, id)).limit(1))[0];
}

/** By username, case-insensitively. */
export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return (await db.select().from(users).where(sql`lower(${users.username}) = ${username.toLowerCase()}`).limit(1))[0];
}

/** The oldest `limit` accounts registered with this email (emails are not unique), oldest first. */
export async function findUsersByEmail(db: Db, email: string, limit: number): Promise<UserRow[]> {
  return db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
    .orderBy(asc(users.createdAt), asc(users.id))
    .limit(limit);
}

export type InsertUserResult = { ok: true; user: UserRow } | { ok: false; code: "username_taken" };

/** A new account; only a taken username (public anyway) is refused, never an email in use. */
export async function insertUser(db: Db, row: typeof users.$inferInsert): Promise<InsertUserResult> {
  try {
    const [user] = await db.insert(users).values(row).returning();
    return { ok: true, user };
  } catch (err) {
    const constraint = err as { constraint_name?: string; cause?: { constraint_name?: string } };
    const name = constraint.constraint_name ?? constraint.cause?.constraint_name;
    if (name === "users_username_lower") return { ok: false, code: "username_taken" };
    throw err;
  }
}

export async function updateUser(
  db: Db,
  id: string,
  patch: Partial<Pick<UserRow, "displayName" | "persona" | "passwordHash">>,
): Promise<UserRow | undefined> {
  return (
    await db
      .update(users)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(users.id, id))
      .returning()
  )[0];
}

export async function deleteUser(db: Db, id: string): Promise<void> {
  await db.delete(users).where(eq(users.id, id));
}

export async function insertRefreshToken(db: Db, row: typeof refreshTokens.$inferInsert): Promise<void> {
  await db.insert(refreshTokens).values(row);
}

export async function findRefreshToken(db: Db, tokenHash: string) {
  return (await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1))[0];
}

/**
 * Marks the token used; true only for the one caller that wins the race, so
 * a replayed token (even concurrently) is recognised as reuse.
 */
export async function consumeRefreshToken(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length === 1;
}

/** Revokes every live refresh token of the user (a password change ends every session; the caller is issued a new one). */
export async function revokeAllFamilies(db: Db, userId: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}

export async function revokeFamily(db: Db, family: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.family, family), isNull(refreshTokens.revokedAt)));
}

/** What a conversation's prompt needs of its user; null when the user no longer exists. */
export async function loadProfile(db: Db, userId: string): Promise<{ displayName: string; persona: string } | null> {
  const r = await db.select({ displayName: users.displayName, persona: users.persona }).from(users).where(eq(users.id, userId)).limit(1);
  return r[0] ?? null;
}

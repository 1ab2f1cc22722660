/** Users and refresh tokens in PostgreSQL. */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { User } from "../shared/wire";
import type { Db } from "./client";
import { refreshTokens, users } from "./schema";

type UserRow = typeof users.$inferSelect;

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

/** By username or email, case-insensitively. */
export async function findUserByLogin(db: Db, login: string): Promise<UserRow | undefined> {
  const l = login.toLowerCase();
  return (await db.select().from(users).where(sql`lower(${users.username}) = ${l} or lower(${users.email}) = ${l}`).limit(1))[0];
}

export type InsertUserResult = { ok: true; user: UserRow } | { ok: false; code: "username_taken" | "email_taken" };

export async function insertUser(db: Db, row: typeof users.$inferInsert): Promise<InsertUserResult> {
  try {
    const [user] = await db.insert(users).values(row).returning();
    return { ok: true, user };
  } catch (err) {
    const constraint = err as { constraint_name?: string; cause?: { constraint_name?: string } };
    const name = constraint.constraint_name ?? constraint.cause?.constraint_name;
    if (name === "users_username_lower") return { ok: false, code: "username_taken" };
    if (name === "users_email_lower") return { ok: false, code: "email_taken" };
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

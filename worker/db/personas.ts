/** A user's personas in PostgreSQL: who they are in a conversation. */
import { and, asc, count, eq } from "drizzle-orm";
import type { Persona } from "../shared/wire";
import type { Db } from "./client";
import { personas } from "./schema";

type Row = typeof personas.$inferSelect;
const toPersona = (r: Row): Persona => ({ id: r.id, name: r.name, description: r.description });

export async function listPersonas(db: Db, userId: string): Promise<Persona[]> {
  return (await db.select().from(personas).where(eq(personas.userId, userId)).orderBy(asc(personas.createdAt))).map(toPersona);
}

export async function findPersona(db: Db, userId: string, id: string): Promise<Persona | null> {
  const [r] = await db
    .select()
    .from(personas)
    .where(and(eq(personas.id, id), eq(personas.userId, userId)))
    .limit(1);
  return r ? toPersona(r) : null;
}

export async function countPersonas(db: Db, userId: string): Promise<number> {
  const [r] = await db.select({ n: count() }).from(personas).where(eq(personas.userId, userId));
  return r.n;
}

export async function insertPersona(db: Db, row: { id: string; userId: string; name: string; description: string }): Promise<Persona> {
  const [r] = await db.insert(personas).values(row).returning();
  return toPersona(r);
}

export async function updatePersona(
  db: Db,
  userId: string,
  id: string,
  change: { name?: string; description?: string },
): Promise<Persona | null> {
  const [r] = await db
    .update(personas)
    .set({ ...change, updatedAt: new Date() })
    .where(and(eq(personas.id, id), eq(personas.userId, userId)))
    .returning();
  return r ? toPersona(r) : null;
}

export async function deletePersona(db: Db, userId: string, id: string): Promise<boolean> {
  const gone = await db
    .delete(personas)
    .where(and(eq(personas.id, id), eq(personas.userId, userId)))
    .returning({ id: personas.id });
  return gone.length > 0;
}

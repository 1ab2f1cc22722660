/** Everything stored about one user, for GET /api/me/export and account deletion. */
import { asc, eq } from "drizzle-orm";
import type { Db } from "./client";
import { characters, chatMemories, chatMessages, chatSessions } from "./schema";

export async function userChatPairs(db: Db, userId: string): Promise<{ characterId: string }[]> {
  return db.selectDistinct({ characterId: chatSessions.characterId }).from(chatSessions).where(eq(chatSessions.userId, userId));
}

export async function ownCharacterIds(db: Db, userId: string): Promise<string[]> {
  return (await db.select({ id: characters.id }).from(characters).where(eq(characters.creatorId, userId))).map((r) => r.id);
}

/** Everyone's conversations with a character (to end them when it is deleted). */
export async function characterChatPairs(db: Db, characterId: string): Promise<{ userId: string }[]> {
  return db.selectDistinct({ userId: chatSessions.userId }).from(chatSessions).where(eq(chatSessions.characterId, characterId));
}

export async function exportUserData(db: Db, userId: string) {
  const [own, messages, memories] = await Promise.all([
    db.select().from(characters).where(eq(characters.creatorId, userId)).orderBy(asc(characters.id)),
    db
      .select({
        id: chatMessages.id,
        characterId: chatMessages.characterId,
        role: chatMessages.role,
        content: chatMessages.content,
        status: chatMessages.status,
        active: chatMessages.active,
        createdAt: chatMessages.createdAt,
      })
      .from(chatMessages)
      .where(eq(chatMessages.userId, userId))
      .orderBy(asc(chatMessages.createdAt), asc(chatMessages.id)),
    db
      .select({
        id: chatMemories.id,
        characterId: chatMemories.characterId,
        content: chatMemories.content,
        createdAt: chatMemories.createdAt,
      })
      .from(chatMemories)
      .where(eq(chatMemories.userId, userId)),
  ]);
  return { characters: own, messages, memories };
}

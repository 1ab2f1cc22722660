/** Conversations in PostgreSQL: registering one, the caller's list, and deleting one. */
import { and, eq, sql } from "drizzle-orm";
import type { ChatSummary } from "../shared/wire";
import { type CharacterRow, toCharacter } from "./characters";
import type { Db } from "./client";
import { chatSessions } from "./schema";

export async function listChats(db: Db, userId: string): Promise<ChatSummary[]> {
  const rows = await db.execute<{
    character: CharacterRow;
    last: { id: string; role: "user" | "assistant"; content: string; status: "complete"; created_at: string } | null;
    updated_at: string;
    chat_key: string;
    title: string;
  }>(sql`
    select to_jsonb(c) - 'card' - 'search' as character, s.updated_at, s.chat_key, s.title,
      (select jsonb_build_object('id', m.id, 'role', m.role, 'content', m.content, 'status', m.status, 'created_at', m.created_at)
         from chat_messages m
        where m.session_id = s.id and m.user_id = ${userId} and m.active
        order by m.created_at desc, m.id desc limit 1) as last
      from chat_sessions s join characters c on c.id = s.character_id
     where s.user_id = ${userId} and (c.visibility = 'public' or c.creator_id = ${userId})
     order by s.updated_at desc limit 200`);
  // A conversation opened but never written to is not listed.
  return rows
    .filter((r) => r.last)
    .map((r) => {
      const c = r.character as unknown as Record<string, unknown>;
      const character = toCharacter({
        id: c.id,
        creatorId: c.creator_id,
        name: c.name,
        tagline: c.tagline,
        description: c.description,
        greeting: c.greeting,
        scenario: c.scenario,
        exampleDialogues: c.example_dialogues,
        visibility: c.visibility,
        model: c.model,
        createdAt: new Date(String(c.created_at)),
        updatedAt: new Date(String(c.updated_at)),
        card: {},
        tags: c.tags,
        avatarKey: c.avatar_key,
      } as CharacterRow);
      const last = r.last;
      return {
        characterId: character.id,
        chatId: r.chat_key,
        title: r.title,
        character,
        lastMessage: last
          ? { id: last.id, role: last.role, content: last.content, status: last.status, createdAt: new Date(last.created_at).toISOString() }
          : null,
        updatedAt: new Date(r.updated_at).toISOString(),
      };
    });
}

/** Deletes every conversation of the pair (their messages and memories go with them). */
export async function deleteChat(db: Db, userId: string, characterId: string): Promise<void> {
  await db.delete(chatSessions).where(and(eq(chatSessions.userId, userId), eq(chatSessions.characterId, characterId)));
}

/**
 * Registers a conversation in PostgreSQL as soon as its object opens it, so
 * deleting the account (or the character) finds the object even before the
 * first outbox copy. Returns the row's id (an earlier object's, when it exists).
 */
export async function registerSession(
  db: Db,
  ref: { userId: string; characterId: string; chat: string },
  id: string,
): Promise<string | null> {
  await db.insert(chatSessions).values({ id, userId: ref.userId, characterId: ref.characterId, chatKey: ref.chat }).onConflictDoNothing();
  return findSession(db, ref);
}

/** The conversation's session id, when it has one. */
export async function findSession(db: Db, ref: { userId: string; characterId: string; chat: string }): Promise<string | null> {
  const r = await db
    .select({ id: chatSessions.id })
    .from(chatSessions)
    .where(and(eq(chatSessions.userId, ref.userId), eq(chatSessions.characterId, ref.characterId), eq(chatSessions.chatKey, ref.chat)))
    .limit(1);
  return r[0]?.id ?? null;
}

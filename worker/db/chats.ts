/** The caller's conversations in PostgreSQL (the list, and deleting one). */
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
  }>(sql`
    select to_jsonb(c) - 'card' - 'search' as character, s.updated_at,
      (select jsonb_build_object('id', m.id, 'role', m.role, 'content', m.content, 'status', m.status, 'created_at', m.created_at)
         from chat_messages m
        where m.user_id = ${userId} and m.character_id = s.character_id and m.active
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
        character,
        lastMessage: last
          ? { id: last.id, role: last.role, content: last.content, status: last.status, createdAt: new Date(last.created_at).toISOString() }
          : null,
        updatedAt: new Date(r.updated_at).toISOString(),
      };
    });
}

export async function deleteChat(db: Db, userId: string, characterId: string): Promise<void> {
  await db.delete(chatSessions).where(and(eq(chatSessions.userId, userId), eq(chatSessions.characterId, characterId)));
}

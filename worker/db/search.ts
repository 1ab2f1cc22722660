/**
 * Search inside the caller's own conversations: PostgreSQL full text over
 * their active messages (never anyone else's), best matches first, each with
 * where it is so the client can jump to it.
 */
import { sql } from "drizzle-orm";
import type { SearchHit } from "../shared/wire";
import type { Db } from "./client";

export async function searchMessages(db: Db, userId: string, q: string, limit: number): Promise<SearchHit[]> {
  const rows = await db.execute<{
    id: string;
    role: "user" | "assistant";
    content: string;
    status: "complete" | "cancelled" | "interrupted" | "error";
    created_at: string;
    character_id: string;
    character_name: string;
    chat_key: string;
    chat_title: string;
    snippet: string;
  }>(sql`
    with q as (select websearch_to_tsquery('english', ${q}) as query)
    select m.id, m.role, m.content, m.status, m.created_at, m.character_id, c.name as character_name,
           s.chat_key, s.title as chat_title,
           ts_headline('english', m.content, q.query, 'MaxFragments=2, MaxWords=18, MinWords=6, StartSel=«, StopSel=»') as snippet
      from q, chat_messages m
      join chat_sessions s on s.id = m.session_id
      join characters c on c.id = m.character_id
     where m.user_id = ${userId} and m.active and m.search @@ q.query
     order by ts_rank_cd(m.search, q.query) desc, m.id desc
     limit ${limit}`);
  return rows.map((r) => ({
    characterId: r.character_id,
    characterName: r.character_name,
    chatId: r.chat_key,
    chatTitle: r.chat_title,
    snippet: r.snippet,
    message: { id: r.id, role: r.role, content: r.content, status: r.status, createdAt: new Date(r.created_at).toISOString() },
  }));
}

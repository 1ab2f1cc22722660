/**
 * Stored history, written straight into PostgreSQL for a fresh (user,
 * character) pair before its first turn: a session row and `count`
 * alternating user/assistant messages, one second apart and ending a minute
 * ago, with UUIDv7 ids of their own timestamps and real token counts, the
 * way the session object's outbox would have written them.
 */
import type postgres from "postgres";
import { countTokens } from "../worker/context/tokens";
import { newId } from "../worker/ids";

export interface SeedPair {
  userId: string;
  characterId: string;
}

const BATCH = 2000;
const TOPICS = [
  "the lighthouse on the northern cliffs",
  "the old map in the attic",
  "the storm last winter",
  "the market by the river",
  "the letter from your sister",
  "the clockmaker's apprentice",
];

function contentOf(i: number): { role: "user" | "assistant"; content: string } {
  const topic = TOPICS[Math.floor(i / 2) % TOPICS.length];
  return i % 2 === 0
    ? { role: "user", content: `Tell me more about ${topic}. What happened after that, in part ${i / 2 + 1}?` }
    : {
        role: "assistant",
        content:
          `Ah, ${topic}. It is a long story, and I remember it well: the wind, the people, ` +
          `and what they said to each other that night (chapter ${(i - 1) / 2 + 1}).`,
      };
}

/**
 * A new turn about one of the seeded topics, so recall (full-text search
 * over the stored history) has real matches to rank, as in a conversation
 * that comes back to something said long ago.
 */
export function topicQuestion(turn: number): string {
  return `Hello again. Can we go back to ${TOPICS[turn % TOPICS.length]}? (turn ${turn})`;
}

/** Memories pinned in the 10,000-message scenario with memories and recall. */
export const MEMORY_FACTS = ["My sister is called Zelda.", "I am allergic to peanuts.", "We met at the harbour in June."];

/**
 * A turn about one old chapter: its number is in the stored history but not
 * in the recent window, so recall has to search PostgreSQL to find it.
 */
export function oldChapterQuestion(turn: number, stored: number): string {
  const chapter = 1 + ((turn * 37) % Math.max(1, Math.floor(stored / 4)));
  return `Remind me what happened in chapter ${chapter}, back then. (turn ${turn})`;
}

/** Writes the pair's session row and `count` messages; returns the session id. */
export async function seedHistory(sql: postgres.Sql, pair: SeedPair, count: number, endMs = Date.now() - 60_000): Promise<string> {
  const startMs = endMs - count * 1000;
  const sessionId = newId(startMs - 1000);
  await sql`insert into chat_sessions (id, user_id, character_id, created_at, updated_at)
    values (${sessionId}, ${pair.userId}, ${pair.characterId}, ${new Date(startMs - 1000)}, ${new Date(endMs)})`;
  for (let from = 0; from < count; from += BATCH) {
    const rows = [];
    for (let i = from; i < Math.min(count, from + BATCH); i++) {
      const at = startMs + i * 1000;
      const { role, content } = contentOf(i);
      rows.push({
        id: newId(at),
        session_id: sessionId,
        user_id: pair.userId,
        character_id: pair.characterId,
        role,
        content,
        status: "complete",
        token_count: countTokens(content),
        active: true,
        created_at: new Date(at),
      });
    }
    await sql`insert into chat_messages ${sql(rows)}`;
  }
  // As autovacuum would have by the time such a history exists: without statistics the planner
  // takes the pair's thousands of rows for one and walks them for every recall query.
  await sql`analyze chat_messages`;
  return sessionId;
}

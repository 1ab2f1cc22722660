/**
 * A conversation's rows in PostgreSQL: its older history and the outbox
 * operations of its session object (recall's queries are in `recall.ts`),
 * applied idempotently. Every query is restricted to one (user, character)
 * pair.
 */
import { and, desc, eq, gt, gte, lt, sql } from "drizzle-orm";
import { newId } from "../ids";
import { type ChatRef, MAIN_CHAT, type OutboxOp, type Pair, type StoredMessage } from "../session/types";
import type { Db } from "./client";
import { chatMemories, chatMessages, chatSessions } from "./schema";

const ofPair = (pair: Pair) => [eq(chatMessages.userId, pair.userId), eq(chatMessages.characterId, pair.characterId)];
/** The session row of one conversation of the pair. */
const sessionOf = (ref: ChatRef) =>
  sql`(select ${chatSessions.id} from ${chatSessions} where ${chatSessions.userId} = ${ref.userId} and ${chatSessions.characterId} = ${ref.characterId} and ${chatSessions.chatKey} = ${ref.chat})`;

/** The conversation's newest `limit` active messages older than `before`, oldest first. */
export async function olderActive(db: Db, ref: ChatRef, before: string | null, limit: number): Promise<StoredMessage[]> {
  const where = [...ofPair(ref), eq(chatMessages.active, true), eq(chatMessages.sessionId, sessionOf(ref))];
  if (before) where.push(lt(chatMessages.id, before));
  const rows = await db
    .select({
      id: chatMessages.id,
      role: chatMessages.role,
      content: chatMessages.content,
      status: chatMessages.status,
      tokens: chatMessages.tokenCount,
      clientId: chatMessages.clientMessageId,
      parentId: chatMessages.parentId,
      active: chatMessages.active,
      createdAt: chatMessages.createdAt,
    })
    .from(chatMessages)
    .where(and(...where))
    .orderBy(desc(chatMessages.id))
    .limit(limit);
  return rows.map((r) => ({ ...r, chat: ref.chat, createdAt: r.createdAt.getTime() })).reverse();
}

/**
 * Applies outbox operations in one transaction; each is idempotent, so a
 * replay changes nothing. Session rows are found (or made) by conversation,
 * so a session object rebuilt without its storage still writes to the same
 * rows. A batch of new messages only (every turn's copy) is one statement.
 */
export async function applyOps(db: Db, pair: Pair, ops: OutboxOp[]): Promise<void> {
  const messages = ops.flatMap((o) => (o.op === "message" ? [o.message] : []));
  if (messages.length === ops.length) return copyMessages(db, pair, messages);
  await db.transaction(async (tx) => {
    const sessions = new Map<string, string>();
    const latest = new Map<string, number>();
    const session = async (chat: string): Promise<string> => {
      const known = sessions.get(chat);
      if (known) return known;
      await tx
        .insert(chatSessions)
        .values({ id: newId(), ...pair, chatKey: chat })
        .onConflictDoNothing();
      const [{ id }] = await tx
        .select({ id: chatSessions.id })
        .from(chatSessions)
        .where(and(eq(chatSessions.userId, pair.userId), eq(chatSessions.characterId, pair.characterId), eq(chatSessions.chatKey, chat)));
      sessions.set(chat, id);
      return id;
    };
    for (const o of ops) {
      if (o.op === "message") {
        const m = o.message;
        const chat = m.chat ?? MAIN_CHAT;
        latest.set(chat, Math.max(latest.get(chat) ?? 0, m.createdAt));
        await tx
          .insert(chatMessages)
          .values({
            id: m.id,
            sessionId: await session(chat),
            ...pair,
            role: m.role,
            content: m.content,
            status: m.status,
            tokenCount: m.tokens,
            clientMessageId: m.clientId,
            parentId: m.parentId,
            active: m.active,
            createdAt: new Date(m.createdAt),
          })
          .onConflictDoNothing();
      } else if (o.op === "update") {
        await tx
          .update(chatMessages)
          .set({ content: o.content, status: o.status, tokenCount: o.tokens, active: o.active })
          .where(and(eq(chatMessages.id, o.id), ...ofPair(pair)));
      } else if (o.op === "deactivate") {
        const sessionId = await session(o.chat ?? MAIN_CHAT);
        await tx
          .update(chatMessages)
          .set({ active: false })
          .where(
            and(
              ...ofPair(pair),
              eq(chatMessages.sessionId, sessionId),
              o.inclusive ? gte(chatMessages.id, o.fromId) : gt(chatMessages.id, o.fromId),
            ),
          );
      } else if (o.op === "memory") {
        const m = o.memory;
        const chat = m.chat === undefined ? MAIN_CHAT : m.chat;
        const row = { content: m.content, updatedAt: new Date(m.updatedAt), sessionId: chat === null ? null : await session(chat) };
        await tx
          .insert(chatMemories)
          .values({ id: m.id, ...pair, sourceMessageId: m.sourceMessageId, createdAt: new Date(m.createdAt), ...row })
          .onConflictDoUpdate({ target: chatMemories.id, set: row });
      } else if (o.op === "forget") {
        await tx.delete(chatMemories).where(and(eq(chatMemories.id, o.id), eq(chatMemories.userId, pair.userId)));
      } else if (o.op === "chat") {
        await tx
          .update(chatSessions)
          .set({ title: o.title })
          .where(eq(chatSessions.id, await session(o.chat)));
      } else {
        await tx
          .delete(chatSessions)
          .where(
            and(eq(chatSessions.userId, pair.userId), eq(chatSessions.characterId, pair.characterId), eq(chatSessions.chatKey, o.chat)),
          );
        sessions.delete(o.chat);
      }
    }
    for (const [chat, at] of latest) {
      await tx
        .update(chatSessions)
        .set({ updatedAt: new Date(at) })
        .where(eq(chatSessions.id, await session(chat)));
    }
  });
}

/**
 * New messages in one statement, without drizzle (its query building cost
 * more CPU than the six round trips of the transaction it replaces): each
 * conversation's session row made if missing and its `updated_at` set to
 * its newest message, and the messages inserted unless already there. One
 * statement, so it is atomic as the transaction was.
 */
async function copyMessages(db: Db, pair: Pair, messages: StoredMessage[]): Promise<void> {
  const latest = new Map<string, number>();
  for (const m of messages) latest.set(m.chat ?? MAIN_CHAT, Math.max(latest.get(m.chat ?? MAIN_CHAT) ?? 0, m.createdAt));
  const sessions = [...latest].map(([chat, at]) => ({ id: newId(), chat, at: new Date(at).toISOString() }));
  const rows = messages.map((m) => ({
    id: m.id,
    chat: m.chat ?? MAIN_CHAT,
    role: m.role,
    content: m.content,
    status: m.status,
    tokens: m.tokens,
    client_id: m.clientId,
    parent_id: m.parentId,
    active: m.active,
    at: new Date(m.createdAt).toISOString(),
  }));
  await db.$client`
    WITH s AS (
      INSERT INTO chat_sessions (id, user_id, character_id, chat_key, updated_at)
      SELECT c.id, ${pair.userId}::uuid, ${pair.characterId}::uuid, c.chat, c.at
      FROM json_to_recordset(${JSON.stringify(sessions)}::json) AS c(id uuid, chat text, at timestamptz)
      ON CONFLICT (user_id, character_id, chat_key) DO UPDATE SET updated_at = excluded.updated_at
      RETURNING id, chat_key
    )
    INSERT INTO chat_messages
      (id, session_id, user_id, character_id, role, content, status, token_count, client_message_id, parent_id, active, created_at)
    SELECT m.id, s.id, ${pair.userId}::uuid, ${pair.characterId}::uuid, m.role, m.content, m.status, m.tokens, m.client_id, m.parent_id, m.active, m.at
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS m(id uuid, chat text, role text, content text, status text, tokens integer,
      client_id text, parent_id uuid, active boolean, at timestamptz)
    JOIN s ON s.chat_key = m.chat
    ON CONFLICT DO NOTHING`;
}

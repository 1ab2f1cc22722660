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
 * rows.
 */
export async function applyOps(db: Db, pair: Pair, ops: OutboxOp[]): Promise<void> {
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

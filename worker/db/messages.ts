/**
 * A conversation's rows in PostgreSQL: its older history, recall by
 * full-text search, and the outbox operations of its session object,
 * applied idempotently. Every query is restricted to one (user, character)
 * pair.
 */
import { and, desc, eq, gt, gte, lt, sql } from "drizzle-orm";
import type postgres from "postgres";
import { newId } from "../ids";
import { type ChatRef, MAIN_CHAT, type OutboxOp, type Pair, type StoredMessage } from "../session/types";
import type { Db } from "./client";
import { chatMemories, chatMessages, chatSessions } from "./schema";

const RECALL_CANDIDATES = 64;
const ofPair = (pair: Pair) => [eq(chatMessages.userId, pair.userId), eq(chatMessages.characterId, pair.characterId)];
/** The session row of one conversation of the pair. */
const sessionOf = (ref: ChatRef) =>
  sql`(select ${chatSessions.id} from ${chatSessions} where ${chatSessions.userId} = ${ref.userId} and ${chatSessions.characterId} = ${ref.characterId} and ${chatSessions.chatKey} = ${ref.chat})`;

/**
 * Recall: the conversation's older active turns that best match `tsquery`,
 * scored by full-text rank and recency. Only this conversation's rows are
 * searched.
 */
const RECALL_SQL = `
  with candidates as materialized (
    select m.id, m.role, m.content, m.status, m.token_count, m.parent_id, m.created_at, m.search
      from chat_messages m
     where m.user_id = $1 and m.character_id = $2 and m.active and m.id < $3 and m.search @@ to_tsquery('simple', $4)
       and m.session_id = (select s.id from chat_sessions s where s.user_id = $1 and s.character_id = $2 and s.chat_key = $6)
     order by m.id desc limit ${RECALL_CANDIDATES})
  select id, role, content, status, token_count, parent_id, created_at from candidates
   order by ts_rank(search, to_tsquery('simple', $4)) / (1 + extract(epoch from now() - created_at) / 2592000.0) desc
   limit $5`;

type RecallRow = {
  id: string;
  role: StoredMessage["role"];
  content: string;
  status: StoredMessage["status"];
  token_count: number;
  parent_id: string | null;
  created_at: Date;
};

export async function recallMessages(
  pg: postgres.Sql,
  ref: ChatRef,
  terms: string[],
  beforeId: string,
  limit: number,
): Promise<StoredMessage[]> {
  // Only the newest matches are ranked: ranking every match of a word used
  // all through a long history costs tens of milliseconds. Not a prepared
  // statement: a generic plan cannot see how rare the words are, and walks
  // the whole history.
  const rows = await pg.unsafe<RecallRow[]>(RECALL_SQL, [ref.userId, ref.characterId, beforeId, terms.join(" | "), limit, ref.chat], {
    prepare: false,
  });
  return rows.map((r) => ({
    id: r.id,
    chat: ref.chat,
    role: r.role,
    content: r.content,
    status: r.status,
    tokens: r.token_count,
    clientId: null,
    parentId: r.parent_id,
    active: true,
    createdAt: new Date(r.created_at).getTime(),
  }));
}

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

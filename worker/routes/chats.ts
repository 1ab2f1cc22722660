/**
 * Conversations: each route verifies the caller, checks the character, and
 * hands over to the caller's own session object, named from the verified
 * user id and the character id.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user";
import type { AppEnv } from "../context";
import type { CharacterSnapshot } from "../context/system-prompt";
import type { CharacterRow } from "../db/characters";
import { deleteChat, listChats } from "../db/chats";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import { isUuid } from "../ids";
import type { Fail, SendResult } from "../session/chat-session";
import { sessionStub } from "../session/stub";
import { readableCharacter } from "./characters";

export const CONTENT_LIMIT = 32 * 1024;
const sendSchema = z.object({
  content: z.string().refine((s) => s.trim().length > 0, "must not be empty"),
  clientMessageId: z.string().min(1).max(100).optional(),
});
const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" };

export function snapshot(row: CharacterRow): CharacterSnapshot {
  return {
    id: row.id, name: row.name, description: row.description, greeting: row.greeting, scenario: row.scenario,
    exampleDialogues: row.exampleDialogues, model: row.model, updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** A session object's success, or its failure thrown as the error table's answer. */
export function okOr<T extends { ok: boolean }>(result: T): Exclude<T, Fail> {
  if (!result.ok) {
    const f = result as unknown as Fail;
    throw new AppError(f.code, f.retryAfter ? { retryAfter: f.retryAfter } : {});
  }
  return result as Exclude<T, Fail>;
}

export async function sendMessage(c: Context<AppEnv>, characterId: string, content: string, clientMessageId: string | undefined, stream: boolean): Promise<SendResult> {
  if (new TextEncoder().encode(content).byteLength > CONTENT_LIMIT) throw new AppError("content_too_large", { message: "A message may be at most 32 KiB." });
  const character = await readableCharacter(c, characterId, true);
  return sessionStub(c.env, c.var.userId, character.id).send({ userId: c.var.userId, character: snapshot(character), content, clientMessageId, stream });
}

const wantsStream = (c: Context<AppEnv>) => (c.req.header("accept") ?? "").includes("text/event-stream");
const stub = (c: Context<AppEnv>) => sessionStub(c.env, c.var.userId, c.req.param("characterId")!);

/** The character id from the path, checked as readable by the caller. */
async function pathCharacter(c: Context<AppEnv>): Promise<string> {
  const id = c.req.param("characterId") ?? "";
  if (!isUuid(id)) throw new AppError("character_not_found");
  return id;
}

export const chatRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/", async (c) => c.json({ chats: await listChats(c.var.db(), c.var.userId) }))
  .get("/:characterId/messages", async (c) => {
    const characterId = await pathCharacter(c);
    const before = c.req.query("before");
    if (before !== undefined && !isUuid(before)) throw new AppError("invalid_input", { field: "before" });
    const limit = Math.min(100, Math.max(1, Number(c.req.query("limit") ?? 50) || 50));
    const result = okOr(await stub(c).history(c.var.userId, characterId, before, limit));
    return c.json({ messages: result.messages, nextBefore: result.nextBefore });
  })
  .post("/:characterId/messages", async (c) => {
    const characterId = await pathCharacter(c);
    const body = await readJson(c, sendSchema, CONTENT_LIMIT * 2 + 1024);
    const stream = wantsStream(c);
    const result = okOr(await sendMessage(c, characterId, body.content, body.clientMessageId, stream));
    if ("stream" in result) return new Response(result.stream, { headers: SSE_HEADERS });
    return c.json({ userMessage: result.userMessage, reply: result.reply });
  })
  .post("/:characterId/cancel", async (c) => {
    const characterId = await pathCharacter(c);
    const result = okOr(await stub(c).cancel(c.var.userId, characterId));
    return c.json({ cancelled: result.cancelled });
  })
  .get("/:characterId/stream", async (c) => {
    const characterId = await pathCharacter(c);
    const after = c.req.header("last-event-id") ?? c.req.query("after");
    const result = okOr(await stub(c).resume(c.var.userId, characterId, after));
    return result.stream ? new Response(result.stream, { headers: SSE_HEADERS }) : c.body(null, 204);
  })
  .get("/:characterId/messages/:id/context", async (c) => {
    const characterId = await pathCharacter(c);
    const result = okOr(await stub(c).ledger(c.var.userId, characterId, c.req.param("id")));
    return c.json({ ledger: result.ledger });
  })
  .delete("/:characterId", async (c) => {
    const characterId = await pathCharacter(c);
    await stub(c).destroy();
    await deleteChat(c.var.db(), c.var.userId, characterId);
    return c.body(null, 204);
  });

const seedSchema = z.object({ characterId: z.string().refine(isUuid, "not a character id"), message: z.string().refine((s) => s.trim().length > 0, "must not be empty") });

/** The seed's endpoint: one turn, answered as {message: reply}. */
export const seedChatRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .post("/", async (c) => {
    const body = await readJson(c, seedSchema, CONTENT_LIMIT * 2 + 1024);
    const result = okOr(await sendMessage(c, body.characterId, body.message, undefined, false));
    if (!("reply" in result)) throw new AppError("internal");
    return c.json({ message: result.reply.content });
  });

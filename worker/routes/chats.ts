/**
 * Conversations: each route verifies the caller and hands over to the
 * caller's own session object, named from the verified user id and the
 * character id; the object checks the character (it keeps it hot).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user";
import { deleteChat, listChats } from "../db/chats";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import { text } from "../http/text";
import { isUuid } from "../ids";
import type { AppEnv } from "../resources";
import type { Fail, SendResult } from "../session/chat-session";
import { sessionStub } from "../session/stub";

export const CONTENT_LIMIT = 32 * 1024;
const sendSchema = z.object({
  content: text().refine((s) => s.trim().length > 0, "must not be empty"),
  clientMessageId: text().min(1).max(100).optional(),
});
const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

/** A session object's success, or its failure thrown as the error table's answer. */
function okOr<R extends { ok: true } | Fail>(result: R): Extract<R, { ok: true }> {
  if (isFail(result)) throw new AppError(result.code, { retryAfter: result.retryAfter, message: result.message });
  return result as Extract<R, { ok: true }>;
}

const isFail = (r: { ok: boolean }): r is Fail => !r.ok;

function checkSize(content: string): void {
  if (new TextEncoder().encode(content).byteLength > CONTENT_LIMIT)
    throw new AppError("content_too_large", { message: "A message may be at most 32 KiB." });
}

/** One turn: the size is decided here, before the session object is called. */
export async function sendMessage(
  c: Context<AppEnv>,
  characterId: string,
  content: string,
  clientMessageId: string | undefined,
  stream: boolean,
): Promise<SendResult> {
  checkSize(content);
  if (!isUuid(characterId)) throw new AppError("character_not_found");
  return sessionStub(c.env, c.var.userId, characterId).send({ userId: c.var.userId, characterId, content, clientMessageId, stream });
}

const wantsStream = (c: Context<AppEnv>) => (c.req.header("accept") ?? "").includes("text/event-stream");

/** The caller's session object for the character in the path. */
function session(c: Context<AppEnv>) {
  const characterId = c.req.param("characterId") ?? "";
  if (!isUuid(characterId)) throw new AppError("character_not_found");
  const caller = { userId: c.var.userId, characterId };
  return { caller, stub: sessionStub(c.env, caller.userId, characterId) };
}

function turnResponse(c: Context<AppEnv>, result: SendResult): Response {
  const ok = okOr(result);
  if ("stream" in ok) return new Response(ok.stream, { headers: SSE_HEADERS });
  return c.json({ userMessage: ok.userMessage, reply: ok.reply });
}

const pathId = (c: Context<AppEnv>, name: string) => {
  const id = c.req.param(name) ?? "";
  if (!isUuid(id)) throw new AppError(name === "id" ? "message_not_found" : "memory_not_found");
  return id;
};
const editSchema = z.object({ content: sendSchema.shape.content });
const rewindSchema = z.object({ messageId: z.string().refine(isUuid, "not a message id") });
const memorySchema = z.union([
  z.object({ content: text().trim().min(1).max(2000) }),
  z.object({ messageId: z.string().refine(isUuid, "not a message id") }),
]);
const memoryPatch = z.object({ content: text().trim().min(1).max(2000) });

export const chatRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/", async (c) => c.json({ chats: await listChats(c.var.db(), c.var.userId) }))
  .get("/:characterId/messages", async (c) => {
    const { caller, stub } = session(c);
    const before = c.req.query("before");
    if (before !== undefined && !isUuid(before)) throw new AppError("invalid_input", { field: "before" });
    const limit = Math.min(100, Math.max(1, Number(c.req.query("limit") ?? 50) || 50));
    const result = okOr(await stub.history(caller, before, limit));
    return c.json({ messages: result.messages, nextBefore: result.nextBefore, maxMessageTokens: result.maxMessageTokens });
  })
  .post("/:characterId/messages", async (c) => {
    const { caller } = session(c);
    const body = await readJson(c, sendSchema, CONTENT_LIMIT * 2 + 1024);
    return turnResponse(c, await sendMessage(c, caller.characterId, body.content, body.clientMessageId, wantsStream(c)));
  })
  .post("/:characterId/regenerate", async (c) => {
    const { caller, stub } = session(c);
    return turnResponse(c, await stub.regenerate({ ...caller, stream: wantsStream(c) }));
  })
  .post("/:characterId/messages/:id/edit", async (c) => {
    const { caller, stub } = session(c);
    const messageId = pathId(c, "id");
    const body = await readJson(c, editSchema, CONTENT_LIMIT * 2 + 1024);
    checkSize(body.content);
    return turnResponse(c, await stub.edit({ ...caller, content: body.content, messageId, stream: wantsStream(c) }));
  })
  .post("/:characterId/messages/:id/choose", async (c) => {
    const { caller, stub } = session(c);
    return c.json({ message: okOr(await stub.choose(caller, pathId(c, "id"))).message });
  })
  .post("/:characterId/rewind", async (c) => {
    const { caller, stub } = session(c);
    const body = await readJson(c, rewindSchema);
    return c.json({ messages: okOr(await stub.rewind(caller, body.messageId)).messages });
  })
  .post("/:characterId/cancel", async (c) => {
    const { caller, stub } = session(c);
    return c.json({ cancelled: okOr(await stub.cancel(caller)).cancelled });
  })
  .get("/:characterId/stream", async (c) => {
    const { caller, stub } = session(c);
    const after = c.req.header("last-event-id") ?? c.req.query("after");
    const result = okOr(await stub.resume(caller, after));
    return result.stream ? new Response(result.stream, { headers: SSE_HEADERS }) : c.body(null, 204);
  })
  .get("/:characterId/messages/:id/context", async (c) => {
    const { caller, stub } = session(c);
    return c.json({ ledger: okOr(await stub.ledger(caller, pathId(c, "id"))).ledger });
  })
  .get("/:characterId/memories", async (c) => {
    const { caller, stub } = session(c);
    return c.json({ memories: okOr(await stub.listMemories(caller)).memories });
  })
  .post("/:characterId/memories", async (c) => {
    const { caller, stub } = session(c);
    const body = await readJson(c, memorySchema);
    return c.json({ memory: okOr(await stub.pin(caller, body)).memory }, 201);
  })
  .patch("/:characterId/memories/:memoryId", async (c) => {
    const { caller, stub } = session(c);
    const body = await readJson(c, memoryPatch);
    return c.json({ memory: okOr(await stub.updateMemory(caller, pathId(c, "memoryId"), body.content)).memory });
  })
  .delete("/:characterId/memories/:memoryId", async (c) => {
    const { caller, stub } = session(c);
    okOr(await stub.forget(caller, pathId(c, "memoryId")));
    return c.body(null, 204);
  })
  .delete("/:characterId", async (c) => {
    const { caller, stub } = session(c);
    await stub.destroy();
    await deleteChat(c.var.db(), caller.userId, caller.characterId);
    return c.body(null, 204);
  });

const seedSchema = z.object({
  characterId: z.string().refine(isUuid, "not a character id"),
  message: text().refine((s) => s.trim().length > 0, "must not be empty"),
});

/** The seed's endpoint: one turn, answered as {message: reply}. */
export const seedChatRoutes = new Hono<AppEnv>().use(requireUser()).post("/", async (c) => {
  const body = await readJson(c, seedSchema, CONTENT_LIMIT * 2 + 1024);
  const result = okOr(await sendMessage(c, body.characterId, body.message, undefined, false));
  if (!("reply" in result)) throw new AppError("internal");
  return c.json({ message: result.reply.content });
});

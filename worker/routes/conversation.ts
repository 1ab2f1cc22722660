/**
 * One conversation's routes, mounted for the main conversation at
 * /api/chats/:characterId and for any other at /api/chats/:characterId/c/:chatId.
 * Each verifies the caller and hands over to the caller's own session object.
 */
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import { text } from "../http/text";
import { isUuid } from "../ids";
import type { AppEnv } from "../resources";
import { CONTENT_LIMIT, checkSize, okOr, pathId, SSE_HEADERS, session, turnResponse, wantsStream } from "./session-call";

const content = text().refine((s) => s.trim().length > 0, "must not be empty");
const sendSchema = z.object({ content, clientMessageId: text().min(1).max(100).optional() });
const editSchema = z.object({ content });
const rewindSchema = z.object({ messageId: z.string().refine(isUuid, "not a message id") });
const scope = z.enum(["chat", "character"]).optional();
const memorySchema = z.union([
  z.object({ content: text().trim().min(1).max(2000), scope }),
  z.object({ messageId: z.string().refine(isUuid, "not a message id"), scope }),
]);
const memoryPatch = z
  .object({ content: text().trim().min(1).max(2000).optional(), scope })
  .refine((p) => p.content !== undefined || p.scope !== undefined, "nothing to change");
const BODY_LIMIT = CONTENT_LIMIT * 2 + 1024;

export const conversationRoutes = new Hono<AppEnv>()
  .get("/messages", async (c) => {
    const { caller, stub } = session(c);
    const before = c.req.query("before");
    if (before !== undefined && !isUuid(before)) throw new AppError("invalid_input", { field: "before" });
    const limit = Math.min(100, Math.max(1, Number(c.req.query("limit") ?? 50) || 50));
    const result = okOr(await stub.history(caller, before, limit));
    return c.json({ messages: result.messages, nextBefore: result.nextBefore, maxMessageTokens: result.maxMessageTokens });
  })
  .post("/messages", async (c) => {
    const { caller, stub } = session(c);
    const body = await readJson(c, sendSchema, BODY_LIMIT);
    checkSize(body.content);
    return turnResponse(
      c,
      await stub.send({ ...caller, content: body.content, clientMessageId: body.clientMessageId, stream: wantsStream(c) }),
    );
  })
  .post("/regenerate", async (c) => {
    const { caller, stub } = session(c);
    return turnResponse(c, await stub.regenerate({ ...caller, stream: wantsStream(c) }));
  })
  .post("/messages/:id/edit", async (c) => {
    const { caller, stub } = session(c);
    const messageId = pathId(c, "id");
    const body = await readJson(c, editSchema, BODY_LIMIT);
    checkSize(body.content);
    return turnResponse(c, await stub.edit({ ...caller, content: body.content, messageId, stream: wantsStream(c) }));
  })
  .post("/messages/:id/choose", async (c) => {
    const { caller, stub } = session(c);
    return c.json({ message: okOr(await stub.choose(caller, pathId(c, "id"))).message });
  })
  .delete("/messages/:id", async (c) => {
    const { caller, stub } = session(c);
    okOr(await stub.deleteMessage(caller, pathId(c, "id")));
    return c.body(null, 204);
  })
  .patch("/messages/:id", async (c) => {
    const { caller, stub } = session(c);
    const messageId = pathId(c, "id");
    const body = await readJson(c, editSchema, BODY_LIMIT);
    checkSize(body.content);
    return c.json({ message: okOr(await stub.editReply(caller, messageId, body.content)).message });
  })
  .post("/continue", async (c) => {
    const { caller, stub } = session(c);
    return turnResponse(c, await stub.continueReply({ ...caller, stream: wantsStream(c) }));
  })
  .post("/rewind", async (c) => {
    const { caller, stub } = session(c);
    const body = await readJson(c, rewindSchema);
    return c.json({ messages: okOr(await stub.rewind(caller, body.messageId)).messages });
  })
  .post("/cancel", async (c) => {
    const { caller, stub } = session(c);
    return c.json({ cancelled: okOr(await stub.cancel(caller)).cancelled });
  })
  .get("/stream", async (c) => {
    const { caller, stub } = session(c);
    const after = c.req.header("last-event-id") ?? c.req.query("after");
    const result = okOr(await stub.resume(caller, after));
    return result.stream ? new Response(result.stream, { headers: SSE_HEADERS }) : c.body(null, 204);
  })
  .get("/messages/:id/context", async (c) => {
    const { caller, stub } = session(c);
    return c.json({ ledger: okOr(await stub.ledger(caller, pathId(c, "id"))).ledger });
  })
  .get("/memories", async (c) => {
    const { caller, stub } = session(c);
    return c.json({ memories: okOr(await stub.listMemories(caller)).memories });
  })
  .post("/memories", async (c) => {
    const { caller, stub } = session(c);
    const body = await readJson(c, memorySchema);
    return c.json({ memory: okOr(await stub.pin(caller, body)).memory }, 201);
  })
  .patch("/memories/:memoryId", async (c) => {
    const { caller, stub } = session(c);
    const body = await readJson(c, memoryPatch);
    return c.json({ memory: okOr(await stub.updateMemory(caller, pathId(c, "memoryId"), body)).memory });
  })
  .delete("/memories/:memoryId", async (c) => {
    const { caller, stub } = session(c);
    okOr(await stub.forget(caller, pathId(c, "memoryId")));
    return c.body(null, 204);
  });

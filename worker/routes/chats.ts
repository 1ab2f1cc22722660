/**
 * The caller's conversations: the list across characters, each
 * character's conversations (the main one, new chats and branches), and
 * the per-conversation routes mounted for each. The seed's /api/chat is a
 * turn in the main conversation.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user";
import { deleteChat, listChats } from "../db/chats";
import { findPersona } from "../db/personas";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import { text } from "../http/text";
import { isUuid } from "../ids";
import type { AppEnv } from "../resources";
import { LIVE_CHARACTER, LIVE_USER } from "../session/live";
import { sessionStub } from "../session/stub";
import { conversationRoutes } from "./conversation";
import { CONTENT_LIMIT, checkSize, isChatId, okOr, SSE_HEADERS, session } from "./session-call";

const title = text().trim().max(200);
const newChatSchema = z.object({
  title: title.optional(),
  /** Branch: the message to copy the history up to, in the conversation `fromChat` (main when absent). */
  fromMessageId: z.string().refine(isUuid, "not a message id").optional(),
  fromChat: z.string().refine(isChatId, "not a conversation id").optional(),
});

const personaSchema = z.object({ personaId: z.string().refine(isUuid, "not a persona id").nullable() });

/** PUT …/persona {personaId}: who the user is in this conversation (null: the profile). */
async function choosePersona(c: Context<AppEnv>) {
  const { caller, stub } = session(c);
  const { personaId } = await readJson(c, personaSchema);
  const persona = personaId ? await findPersona(c.var.db(), caller.userId, personaId) : null;
  if (personaId && !persona) throw new AppError("not_found", { message: "Persona not found." });
  okOr(await stub.setPersona(caller, persona));
  return c.json({ persona });
}

export const chatRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/", async (c) => c.json({ chats: await listChats(c.var.db(), c.var.userId) }))
  .get("/:characterId/conversations", async (c) => {
    const { caller, stub } = session(c);
    return c.json({ conversations: okOr(await stub.chats(caller)).chats });
  })
  .post("/:characterId/conversations", async (c) => {
    const { caller, stub } = session(c);
    const body = await readJson(c, newChatSchema);
    const from = { ...caller, ...(body.fromChat ? { chat: body.fromChat } : {}) };
    return c.json(
      { conversation: okOr(await stub.newChat(from, { title: body.title ?? "", fromMessageId: body.fromMessageId })).chat },
      201,
    );
  })
  .patch("/:characterId/c/:chatId", async (c) => {
    const { caller, stub } = session(c);
    const body = await readJson(c, z.object({ title }));
    okOr(await stub.renameChat(caller, body.title));
    return c.body(null, 204);
  })
  .put("/:characterId/persona", choosePersona)
  .put("/:characterId/c/:chatId/persona", choosePersona)
  .delete("/:characterId/c/:chatId", async (c) => {
    const { caller, stub } = session(c);
    okOr(await stub.deleteChat(caller));
    return c.body(null, 204);
  })
  .get("/:characterId/live", async (c) => {
    const { caller, stub } = session(c);
    if (c.req.header("upgrade")?.toLowerCase() === "websocket") {
      // The object is named from the verified caller; these headers only tell it who that is.
      const headers = new Headers(c.req.raw.headers);
      headers.set(LIVE_USER, caller.userId);
      headers.set(LIVE_CHARACTER, caller.characterId);
      return stub.fetch(new Request(c.req.raw, { headers }));
    }
    const live = okOr(await stub.liveStream(caller));
    return new Response(live.stream, { headers: SSE_HEADERS });
  })
  .delete("/:characterId", async (c) => {
    const { caller, stub } = session(c);
    await stub.destroy();
    await deleteChat(c.var.db(), caller.userId, caller.characterId);
    return c.body(null, 204);
  })
  .route("/:characterId/c/:chatId", conversationRoutes)
  .route("/:characterId", conversationRoutes);

const seedSchema = z.object({
  characterId: z.string().refine(isUuid, "not a character id"),
  message: text().refine((s) => s.trim().length > 0, "must not be empty"),
});

/** The seed's endpoint: one turn in the main conversation, answered as {message: reply}. */
export const seedChatRoutes = new Hono<AppEnv>().use(requireUser()).post("/", async (c) => {
  const body = await readJson(c, seedSchema, CONTENT_LIMIT * 2 + 1024);
  checkSize(body.message);
  const caller = { userId: c.var.userId, characterId: body.characterId, traceparent: c.var.trace?.traceparent() };
  const result = okOr(
    await sessionStub(c.env, caller.userId, caller.characterId).send({ ...caller, content: body.message, stream: false }),
  );
  if (!("reply" in result)) throw new AppError("internal");
  return c.json({ message: result.reply.content });
});

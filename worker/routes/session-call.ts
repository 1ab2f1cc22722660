/**
 * What the conversation routes share: the caller's session object (named
 * from the verified user id and the character id; the conversation id in
 * the path only picks one of the caller's own conversations inside it), and
 * its answers turned into HTTP.
 */
import type { Context } from "hono";
import { AppError } from "../errors";
import { isUuid } from "../ids";
import type { AppEnv } from "../resources";
import type { Caller, Fail, SendResult } from "../session/chat-session";
import { sessionStub } from "../session/stub";
import { SSE_HEADERS } from "../shared/sse";

export const CONTENT_LIMIT = 32 * 1024;
export { SSE_HEADERS };

const isFail = (r: { ok: boolean }): r is Fail => !r.ok;

/** A session object's success, or its failure thrown as the error table's answer. */
export function okOr<R extends { ok: true } | Fail>(result: R): Extract<R, { ok: true }> {
  if (isFail(result)) throw new AppError(result.code, { retryAfter: result.retryAfter, message: result.message });
  return result as Extract<R, { ok: true }>;
}

export const isChatId = (id: string) => id === "main" || isUuid(id);

/** The caller's session object for the character (and conversation) in the path. */
export function session(c: Context<AppEnv>) {
  const characterId = c.req.param("characterId") ?? "";
  if (!isUuid(characterId)) throw new AppError("character_not_found");
  const chat = c.req.param("chatId");
  if (chat !== undefined && !isChatId(chat)) throw new AppError("chat_not_found");
  const caller: Caller = { userId: c.var.userId, characterId, ...(chat ? { chat } : {}), traceparent: c.var.trace?.traceparent() };
  return { caller, stub: sessionStub(c.env, caller.userId, characterId) };
}

export function checkSize(content: string): void {
  if (new TextEncoder().encode(content).byteLength > CONTENT_LIMIT)
    throw new AppError("content_too_large", { message: "A message may be at most 32 KiB." });
}

export const wantsStream = (c: Context<AppEnv>) => (c.req.header("accept") ?? "").includes("text/event-stream");

/** A turn's answer: the SSE stream, or `{userMessage, reply}` once complete. */
export function turnResponse(c: Context<AppEnv>, result: SendResult): Response {
  const ok = okOr(result);
  if ("stream" in ok) return new Response(ok.stream, { headers: SSE_HEADERS });
  return c.json({ userMessage: ok.userMessage, reply: ok.reply });
}

/** A message or memory id from the path, or the matching 404. */
export function pathId(c: Context<AppEnv>, name: "id" | "memoryId"): string {
  const id = c.req.param(name) ?? "";
  if (!isUuid(id)) throw new AppError(name === "id" ? "message_not_found" : "memory_not_found");
  return id;
}

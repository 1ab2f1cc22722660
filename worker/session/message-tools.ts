/**
 * Tools on the history: rewind to a message, swipe between versions of a
 * reply, delete one message, edit what the character said, and continue a
 * reply that was cut off. Deleting takes the message (and, for a
 * user message, the replies to it) out of the history, with the memories
 * pinned from it and the summaries that folded it; ledgers of earlier replies
 * stay as the record of what was sent.
 */

import { countTokens } from "../context/tokens";
import type { Message } from "../shared/wire";
import type { Parts, Ready } from "./collaborators";
import { chooseReply, rewindTo, withAlternatives } from "./controls";
import type { Result, SendResult } from "./types";
import { activeMessage } from "./window";

/** The stored history or memories of `chat` changed: rebuilt on the next call, and every open client reads them again. */
export function changed(c: Parts, chat: string, ...what: ("history" | "memories")[]): void {
  if (what.includes("history")) c.hydration.invalidate(chat);
  for (const type of what) c.live.broadcast({ type, chat });
}

/** Everything after `messageId` leaves the active history, with the memories and summaries made from it. */
export async function rewind(c: Parts, { hot }: Ready, messageId: string): Promise<Result> {
  if (c.runner.current(hot.chat)) return { ok: false, code: "turn_in_progress" };
  const local = c.store.byId(messageId);
  const target = activeMessage(hot, local, messageId);
  if (!target) return { ok: false, code: "message_not_found" };
  rewindTo(c.store, c.memories, hot.chat, target.id, false);
  // Rewinding into history that lives only in PostgreSQL: copy the change there before the window is read again.
  if (!local) await c.outbox.drain();
  changed(c, hot.chat, "history", "memories");
  return { ok: true };
}

/** Swipe: makes another version of the last reply (or of the greeting) the one that counts. */
export function choose(c: Parts, { hot }: Ready, messageId: string): Result<{ message: Message }> {
  if (c.runner.current(hot.chat)) return { ok: false, code: "turn_in_progress" };
  const chosen = chooseReply(c.store, messageId, hot.window.at(-1));
  if ("ok" in chosen) return chosen;
  changed(c, hot.chat, "history");
  return { ok: true, message: withAlternatives(c.store, [chosen])[0] };
}

export async function deleteMessage(c: Parts, { hot }: Ready, messageId: string): Promise<Result> {
  if (c.runner.current(hot.chat)) return { ok: false, code: "turn_in_progress" };
  const local = c.store.byId(messageId);
  const target = activeMessage(hot, local, messageId);
  if (!target) return { ok: false, code: "message_not_found" };
  const replies = target.role === "user" ? hot.window.filter((m) => m.parentId === target.id) : [];
  const gone = [target, ...replies];
  for (const m of gone) c.store.updateMessage({ ...m, active: false });
  const ids = new Set(gone.map((m) => m.id));
  c.memories.deleteMemories(
    c.memories
      .memories(hot.chat)
      .filter((m) => m.sourceMessageId && ids.has(m.sourceMessageId))
      .map((m) => m.id),
  );
  c.memories.rollbackSummaries(hot.chat, target.id, true);
  // A message that lives only in PostgreSQL: copy the change there before the window is read again.
  if (!local) await c.outbox.drain();
  return { ok: true };
}

/** Changes what the character said; the next prompts use the new text. */
export function editReply(c: Parts, { hot }: Ready, messageId: string, content: string): Result<{ message: Message }> {
  if (c.runner.current(hot.chat)) return { ok: false, code: "turn_in_progress" };
  const target = activeMessage(hot, c.store.byId(messageId), messageId);
  if (!target) return { ok: false, code: "message_not_found" };
  if (target.role !== "assistant")
    return { ok: false, code: "conflict", message: "A message of yours is changed with edit, which writes a new reply." };
  const next = { ...target, content, tokens: countTokens(content) };
  c.store.updateMessage(next);
  return { ok: true, message: withAlternatives(c.store, [next])[0] };
}

/** More of the last reply, appended to it: for a reply cut off by a limit, a stop or a failure. */
export function continueReply(c: Parts, ready: Ready, stream: boolean): Promise<SendResult> | SendResult {
  const { hot } = ready;
  if (c.runner.current(hot.chat)) return { ok: false, code: "turn_in_progress" };
  const last = hot.window.at(-1);
  const parent = last?.role === "assistant" && last.parentId ? hot.window.find((m) => m.id === last.parentId) : undefined;
  if (!last || !parent) return { ok: false, code: "conflict", message: "Only the last reply can be continued." };
  return c.runner.start(ready, parent, stream, false, last);
}

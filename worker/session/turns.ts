/**
 * The actions that start a reply: a new message, another version of the
 * last reply, and an edited user message. Each checks that no reply is being
 * written in the conversation and that the message fits the window.
 */
import { countTokens } from "../context/tokens";
import type { Parts, Ready } from "./collaborators";
import { rewindTo } from "./controls";
import { greetingsFor, messageLimit, sheetTokens } from "./prompt-for";
import { replaySend } from "./replay";
import type { Fail, SendInput, SendResult } from "./types";
import { activeMessage, popWindow } from "./window";

const BUSY: Fail = { ok: false, code: "turn_in_progress" };

/** The message's tokens when it fits the prompt with the whole character sheet; else the refusal, with the limit. */
export function fits(c: Parts, { hot, character }: Ready, content: string): number | Fail {
  const tokens = countTokens(content);
  const budget = c.runner.promptBudget(character.model);
  const limit = messageLimit(budget, sheetTokens(hot, character, budget));
  if (tokens <= limit) return tokens;
  const message = `This message is ${tokens} tokens; with this character's sheet a message may be at most ${limit} tokens (about ${limit * 4} characters of English).`;
  return { ok: false, code: "message_too_long", message };
}

/** A user message and its reply; a retried clientMessageId gets the first result. */
export async function send(c: Parts, ready: Ready, input: SendInput): Promise<SendResult> {
  const { hot, character } = ready;
  // Before the message is measured: the budget follows the model's window. Everything after runs without a pause.
  await c.runner.prepare(hot, character);
  if (input.clientMessageId) {
    const earlier = c.store.byClientId(input.clientMessageId);
    if (earlier) return replaySend(c.runner, c.store, ready, earlier, input.stream);
  }
  if (c.runner.current(hot.chat)) return BUSY;
  c.conversation.greetIfNew(hot, greetingsFor(hot, character, c.runner.promptBudget(character.model)));
  const tokens = fits(c, ready, input.content);
  if (typeof tokens !== "number") return tokens;
  const userMessage = c.conversation.appendUser(hot, input.content, input.clientMessageId ?? null, tokens);
  return c.runner.start(ready, userMessage, input.stream, true);
}

/** A new version of the last reply (the earlier ones stay as alternatives), or a reply to a user message left without one. */
export function regenerate(c: Parts, ready: Ready, stream: boolean): Promise<SendResult> | SendResult {
  const { hot } = ready;
  if (c.runner.current(hot.chat)) return BUSY;
  const last = hot.window.at(-1);
  const parentId = last?.role === "assistant" ? last.parentId : last?.id;
  const parent = parentId ? hot.window.find((m) => m.id === parentId) : undefined;
  if (!parent) return { ok: false, code: "conflict" };
  if (last && last.role === "assistant") {
    c.store.updateMessage({ ...last, active: false });
    popWindow(hot);
    c.live.broadcast({ type: "history", chat: hot.chat });
  }
  return c.runner.start(ready, parent, stream, false);
}

/** Replaces a user message: it and what followed leave the history, and a fresh reply is written. */
export async function edit(c: Parts, ready: Ready, input: SendInput & { messageId: string }): Promise<SendResult> {
  const chat = ready.hot.chat;
  await c.runner.prepare(ready.hot, ready.character);
  if (c.runner.current(chat)) return BUSY;
  const local = c.store.byId(input.messageId);
  const target = activeMessage(ready.hot, local, input.messageId);
  if (target?.role !== "user") return { ok: false, code: "message_not_found" };
  const tokens = fits(c, ready, input.content);
  if (typeof tokens !== "number") return tokens;
  rewindTo(c.store, c.memories, chat, target.id, true);
  if (!local) await c.outbox.drain();
  c.hydration.invalidate(chat);
  c.live.broadcast({ type: "history", chat });
  c.live.broadcast({ type: "memories", chat });
  const hot = await c.hydration.open(input);
  if ("ok" in hot) return hot;
  const userMessage = c.conversation.appendUser(hot, input.content, null, tokens);
  return c.runner.start({ ...ready, hot }, userMessage, input.stream, true);
}

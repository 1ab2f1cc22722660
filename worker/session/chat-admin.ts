/**
 * Managing the pair's conversations: listing them, starting one (empty, or
 * a branch of another from one of its messages), renaming and deleting one.
 */
import type { ChatInfo, Persona } from "../shared/wire";
import { copyHistory } from "./branch";
import type { ChatRow } from "./chats";
import type { Parts, Ready } from "./collaborators";
import { MAIN_CHAT, type Result } from "./types";
import { toWire } from "./window";

function info(c: Parts, row: ChatRow, main: Ready["hot"] | null): ChatInfo {
  const last = row.id === MAIN_CHAT && main ? main.window.at(-1) : c.store.recentActive(row.id, 1)[0];
  const createdAt = new Date(row.createdAt).toISOString();
  const lastMessage = last ? toWire(last) : null;
  return { id: row.id, title: row.title, branchedFrom: row.branchedFrom, createdAt, lastMessage, persona: row.persona };
}

/** The pair's conversations, the main one first; `main` is the main conversation's hot state. */
export function listChats(c: Parts, main: Ready["hot"]): ChatInfo[] {
  return c.chats.list().map((row) => info(c, row, main));
}

/** A new conversation with the character; with `fromMessageId`, a branch of `source` up to that message. */
export function newChat(c: Parts, source: Ready, input: { title: string; fromMessageId?: string }): Result<{ chat: ChatInfo }> {
  const id = c.conversation.nextId();
  const row = c.chats.create(id, input.title, input.fromMessageId ?? null);
  if (input.fromMessageId && !copyHistory(c.conversation, c.memories, source.hot, input.fromMessageId, id)) {
    c.chats.remove(id);
    return { ok: false, code: "message_not_found" };
  }
  c.outbox.flushBy(Date.now() + 250);
  c.live.broadcast({ type: "chats" });
  return { ok: true, chat: info(c, row, null) };
}

export function renameChat(c: Parts, { hot }: Ready, title: string): Result {
  c.chats.rename(hot.chat, title);
  c.outbox.flushBy(Date.now() + 250);
  c.live.broadcast({ type: "chats" });
  return { ok: true };
}

/** Deletes one conversation (not the main one: that goes with the whole pair). */
export function deleteChat(c: Parts, { hot }: Ready): Result {
  const chat = hot.chat;
  if (chat === MAIN_CHAT) return { ok: false, code: "conflict", message: "The main conversation is deleted with the whole chat." };
  c.runner.stop(chat);
  c.store.dropChat(chat);
  c.memories.dropChat(chat);
  c.recall.forget(chat);
  c.chats.remove(chat);
  c.hydration.invalidate(chat);
  c.outbox.flushBy(Date.now() + 250);
  c.live.broadcast({ type: "chats" });
  return { ok: true };
}

/** Chooses who the user is in this conversation (null: the profile). */
export function choosePersona(c: Parts, { hot }: Ready, persona: Persona | null): Result {
  c.chats.setPersona(hot.chat, persona);
  hot.persona = persona;
  c.live.broadcast({ type: "chats" });
  return { ok: true };
}

/** A persona changed or was deleted: the conversations using it follow. */
export function personaChanged(c: Parts, id: string, persona: Persona | null): void {
  for (const row of c.chats.list()) {
    if (row.persona?.id !== id) continue;
    c.chats.setPersona(row.id, persona);
    const hot = c.hydration.current(row.id);
    if (hot) hot.persona = persona;
  }
}

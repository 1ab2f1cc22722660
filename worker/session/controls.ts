/**
 * Conversation controls on a session's storage: rewind (with the memories
 * and summaries made from the removed turns), swipe between alternatives,
 * and pinned memories. Called by the session object; no I/O beyond its own
 * SQLite.
 */
import { countTokens } from "../context/tokens";
import type { Memory, Message } from "../shared/wire";
import { type Memories, memoryToWire } from "./memories";
import type { Store } from "./store";
import type { StoredMemory, StoredMessage } from "./types";
import { toWire } from "./window";

export type ControlFail = { ok: false; code: "message_not_found" | "memory_not_found" | "conflict" | "invalid_input" };

/** Everything of `chat` after `messageId` (or from it, when `inclusive`) leaves the active history, with what was made from it. */
export function rewindTo(store: Store, mem: Memories, chat: string, messageId: string, inclusive: boolean): string[] {
  const removed = store.deactivate(chat, messageId, inclusive);
  const gone = new Set(removed);
  mem.deleteMemories(
    mem
      .memories(chat)
      .filter((m) => m.sourceMessageId && gone.has(m.sourceMessageId))
      .map((m) => m.id),
  );
  mem.rollbackSummaries(chat, messageId, inclusive);
  return removed;
}

/** Makes `messageId` the active version of the last reply. */
export function chooseReply(store: Store, messageId: string, lastActive: StoredMessage | undefined): StoredMessage | ControlFail {
  const chosen = store.byId(messageId);
  if (chosen?.role !== "assistant" || !chosen.parentId) return { ok: false, code: "message_not_found" };
  if (chosen.active) return chosen;
  if (lastActive?.role !== "assistant" || lastActive.parentId !== chosen.parentId) return { ok: false, code: "conflict" };
  store.updateMessage({ ...lastActive, active: false });
  const active = { ...chosen, active: true };
  store.updateMessage(active);
  return active;
}

/** Wire messages with the other versions of each reply. */
export function withAlternatives(store: Store, rows: StoredMessage[]): Message[] {
  const parents = rows.filter((m) => m.role === "assistant" && m.parentId).map((m) => m.parentId!);
  return attachAlternatives(rows, store.repliesToAny(parents));
}

/** Pure: each reply in `rows` with the other `replies` to the same user message (active or not) as its alternatives. */
export function attachAlternatives(rows: StoredMessage[], replies: StoredMessage[]): Message[] {
  const byParent = new Map<string, StoredMessage[]>();
  for (const r of replies) if (r.parentId) byParent.set(r.parentId, [...(byParent.get(r.parentId) ?? []), r]);
  return rows.map((m) => {
    const others = m.parentId ? (byParent.get(m.parentId) ?? []).filter((o) => o.id !== m.id) : [];
    const wire = toWire(m);
    return others.length ? { ...wire, alternatives: others.map((o) => ({ id: o.id, content: o.content, status: o.status })) } : wire;
  });
}

export type MemoryScope = Memory["scope"];

/** Pins a memory to `chat` (or to the character): given text, or the content of one of the conversation's messages. */
export function pinMemory(
  store: Store,
  mem: Memories,
  chat: string,
  id: string,
  input: { content?: string; messageId?: string; scope?: MemoryScope },
): { ok: true; memory: Memory } | ControlFail {
  const source = input.messageId ? store.byId(input.messageId) : null;
  if (input.messageId && source?.chat !== chat) return { ok: false, code: "message_not_found" };
  const content = (source?.content ?? input.content ?? "").trim().slice(0, 2000);
  if (!content) return { ok: false, code: "invalid_input" };
  const memory = newMemory(id, input.scope === "character" ? null : chat, content, source?.id ?? null);
  mem.saveMemory(memory);
  return { ok: true, memory: memoryToWire(memory) };
}

/** A memory this conversation may change: its own, or one pinned to the character. */
function visible(mem: Memories, chat: string, id: string) {
  const memory = mem.memory(id);
  return memory && (memory.chat === chat || memory.chat === null) ? memory : null;
}

export function editMemory(
  mem: Memories,
  chat: string,
  id: string,
  change: { content?: string; scope?: MemoryScope },
): { ok: true; memory: Memory } | ControlFail {
  const memory = visible(mem, chat, id);
  if (!memory) return { ok: false, code: "memory_not_found" };
  const content = change.content ?? memory.content;
  const scope = change.scope === undefined ? memory.chat : change.scope === "character" ? null : chat;
  const next = { ...memory, chat: scope, content, tokens: countTokens(content), updatedAt: Date.now() };
  mem.saveMemory(next);
  return { ok: true, memory: memoryToWire(next) };
}

export function forgetMemory(mem: Memories, chat: string, id: string): { ok: true } | ControlFail {
  if (!visible(mem, chat, id)) return { ok: false, code: "memory_not_found" };
  mem.deleteMemories([id]);
  return { ok: true };
}

export function newMemory(
  id: string,
  chat: string | null,
  content: string,
  sourceMessageId: string | null,
  now = Date.now(),
): StoredMemory {
  return { id, chat, content, tokens: countTokens(content), sourceMessageId, createdAt: now, updatedAt: now };
}

/**
 * Starting a conversation from another one's message: the history up to
 * that message (as much of it as the hot window holds) and the memories made
 * from it are copied into the new conversation with new ids, so the two
 * continue independently.
 */
import type { Conversation } from "./conversation";
import type { Memories } from "./memories";
import type { StoredMessage } from "./types";
import type { Hot } from "./window";

/** Copies `source`'s active history through `messageId` into `chat`; false when the message is not in it. */
export function copyHistory(conversation: Conversation, memories: Memories, source: Hot, messageId: string, chat: string): boolean {
  const at = source.window.findIndex((m) => m.id === messageId);
  if (at < 0) return false;
  const ids = new Map<string, string>();
  for (const m of source.window.slice(0, at + 1)) {
    const copy: Omit<StoredMessage, "id" | "createdAt" | "active"> = {
      chat,
      role: m.role,
      content: m.content,
      status: m.status,
      tokens: m.tokens,
      clientId: null,
      parentId: m.parentId ? (ids.get(m.parentId) ?? null) : null,
    };
    ids.set(m.id, conversation.append(null, copy).id);
  }
  for (const memory of memories.memories(source.chat)) {
    if (memory.chat === null || (memory.sourceMessageId && !ids.has(memory.sourceMessageId))) continue;
    const id = conversation.nextId();
    memories.saveMemory({
      ...memory,
      id,
      chat,
      sourceMessageId: memory.sourceMessageId ? (ids.get(memory.sourceMessageId) ?? null) : null,
    });
  }
  return true;
}

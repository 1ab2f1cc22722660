/**
 * Appending to the conversation: ids in conversation order, the message
 * durable in storage with its outbox entry, the hot window updated, the copy
 * to PostgreSQL scheduled, and "remember this" pinned as a memory.
 */
import { countTokens } from "../context/tokens";
import { newId } from "../ids";
import type { Checkpoint } from "./checkpoint";
import { newMemory } from "./controls";
import type { Live } from "./live";
import type { Memories } from "./memories";
import type { Outbox } from "./outbox";
import { pinnedFact } from "./pin-triggers";
import type { Store } from "./store";
import type { StoredMessage } from "./types";
import { type Hot, pushWindow, toWire } from "./window";

/**
 * A user message's copy waits for its reply, whose copy follows it by
 * `REPLY_FLUSH_DELAY_MS` and takes both in one batch (as soon, when the turn
 * ends without a reply); at most this long, for a reply that streams for
 * longer or an object that dies first. (It waited 2 s before: at
 * 100 concurrent replies every object then copied mid-stream at the same
 * moment, and the copies stalled every stream for half a second.) Both are
 * durable in the object's storage from the start.
 */
const USER_FLUSH_DELAY_MS = 30_000;
const REPLY_FLUSH_DELAY_MS = 250;

/** A message to store; its tokens are counted unless the caller already did. */
export type NewMessage = Omit<StoredMessage, "id" | "createdAt" | "tokens" | "active"> & { tokens?: number };

export function createConversation(deps: { store: Store; memories: Memories; outbox: Outbox; live: Live; triggers: string[] }) {
  let lastMs = 0;

  /** Ids strictly increasing in time, so id order is conversation order. */
  function nextId(): { id: string; at: number } {
    const at = Math.max(Date.now(), lastMs + 1);
    lastMs = at;
    return { id: newId(at), at };
  }

  /**
   * Stores a message, durable with its outbox entry; `hot` (when loaded) gets
   * it too, and open clients are told unless `quiet` (the caller tells them).
   * With `indexed` false, its recall-index entry waits for `store.indexLate`.
   */
  function append(hot: Hot | null, m: NewMessage, quiet = false, indexed = true): StoredMessage {
    const { id, at } = nextId();
    const message: StoredMessage = { ...m, id, createdAt: at, tokens: m.tokens ?? countTokens(m.content), active: true };
    // A conversation's first message is copied at once, so it is listed at once.
    const first = hot !== null && hot.window.length === 0 && hot.cold !== "some";
    deps.store.insertMessage(message, indexed);
    if (hot) pushWindow(hot, message);
    // Copy to PostgreSQL shortly after the reply is stored, with its user message, off the turn's critical path.
    const delay = first ? 0 : m.role === "assistant" && m.parentId ? REPLY_FLUSH_DELAY_MS : USER_FLUSH_DELAY_MS;
    deps.outbox.flushBy(Date.now() + delay);
    if (hot && !quiet) deps.live.broadcast({ type: "message", chat: m.chat, message: toWire(message) });
    return message;
  }

  return {
    nextId: () => nextId().id,
    /** Ids continue after the newest message (a restarted object's clock must not go back). */
    continueAfter(createdAt: number): void {
      lastMs = Math.max(lastMs, createdAt);
    },
    append,
    /** A turn ended with no reply to store (it failed before any text): its user message is copied as soon as a reply's would be. */
    endedWithoutReply(): void {
      deps.outbox.flushBy(Date.now() + REPLY_FLUSH_DELAY_MS);
    },
    /** More text for a reply ("continue"): appended to it in place, with the status the new part ended with. */
    extend(hot: Hot, reply: StoredMessage, more: string, status: StoredMessage["status"]): StoredMessage {
      const content = reply.content + more;
      const next: StoredMessage = {
        ...reply,
        content,
        tokens: countTokens(content),
        status: more || status === "complete" ? status : reply.status,
      };
      deps.store.updateMessage(next);
      const at = hot.window.findIndex((m) => m.id === reply.id);
      if (at >= 0) hot.window[at] = next;
      deps.outbox.flushBy(Date.now() + REPLY_FLUSH_DELAY_MS);
      return next;
    },
    /**
     * After a crash: the reply a previous instance was writing is stored with
     * what it had written, as interrupted (unless it was stored after all).
     */
    recoverInterrupted(checkpoint: Checkpoint): void {
      for (const inflight of checkpoint.left()) {
        const continued = inflight.replyId ? deps.store.byId(inflight.replyId) : null;
        if (continued) {
          // A "continue" was under way: the reply keeps what had been added to it.
          if (inflight.content.length > continued.content.length) {
            deps.store.updateMessage({
              ...continued,
              content: inflight.content,
              tokens: countTokens(inflight.content),
              status: "interrupted",
            });
          }
          checkpoint.clear(inflight.chat);
          continue;
        }
        const stored = deps.store.repliesToAny([inflight.userMessageId]).some((r) => r.createdAt >= inflight.startedAt);
        const user = deps.store.byId(inflight.userMessageId);
        if (!stored && user?.active) {
          const reply = { role: "assistant", content: inflight.content, status: "interrupted", clientId: null, parentId: user.id } as const;
          append(null, { ...reply, chat: user.chat });
        }
        checkpoint.clear(inflight.chat);
      }
    },
    /**
     * A new conversation opens with the character's greeting; alternate
     * greetings are stored as its other versions (inactive, sharing one
     * parent id), so the user can swipe between them before answering.
     */
    greetIfNew(hot: Hot, greetings: string[]): void {
      if (hot.window.length > 0 || hot.cold === "some" || greetings.length === 0) return;
      const group = greetings.length > 1 ? newId() : null;
      const [first, ...others] = greetings;
      for (const content of others) {
        const { id, at } = nextId();
        deps.store.insertMessage({
          id,
          chat: hot.chat,
          role: "assistant",
          content,
          status: "complete",
          tokens: countTokens(content),
          clientId: null,
          parentId: group,
          active: false,
          createdAt: at,
        });
      }
      append(hot, { chat: hot.chat, role: "assistant", content: first, status: "complete", clientId: null, parentId: group });
    },

    /**
     * A user message: durable, and pinned as a memory when it asks to be
     * remembered. Its reply's turn indexes it for recall once the reply is
     * written (the turn runner), so the index's work is off the way to the first token.
     */
    appendUser(hot: Hot, content: string, clientId: string | null, tokens?: number): StoredMessage {
      const draft = { chat: hot.chat, role: "user", content, status: "complete", clientId, parentId: null, tokens } as const;
      const message = append(hot, draft, false, false);
      const fact = pinnedFact(content, deps.triggers);
      if (fact) {
        deps.memories.saveMemory(newMemory(nextId().id, hot.chat, fact, message.id));
        deps.live.broadcast({ type: "memories", chat: hot.chat });
      }
      return message;
    },
  };
}

export type Conversation = ReturnType<typeof createConversation>;

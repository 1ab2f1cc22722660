/**
 * What another tab or device did, applied to the open conversation: its
 * stored messages appear, a reply it started is followed token by token,
 * and history or memories it changed are read again.
 */
import type { Chat } from "./chat";
import type { LiveSignal } from "./live";

export interface LiveTargets {
  chat: Chat;
  /** The conversation's memories changed. */
  memories: () => void;
  /** The list of the character's conversations changed. */
  conversations: () => void;
}

export function applyLive(e: LiveSignal, t: LiveTargets): void {
  if (e.type === "chats") {
    t.conversations();
    return;
  }
  if (e.type === "resync") {
    t.conversations();
    t.memories();
    void t.chat.reloadLatest().then(() => t.chat.follow());
    return;
  }
  if (e.chat !== t.chat.ref.chatId) return;
  switch (e.type) {
    case "message":
      // This tab's own stream delivers its messages too; upsert keeps one copy.
      if (t.chat.phase() !== "loading") t.chat.state.upsert(e.message);
      return;
    case "turn":
      // A reply started elsewhere (or this tab's own, already followed): show it streaming.
      if (!t.chat.busy()) void t.chat.follow();
      return;
    case "history":
      void t.chat.reloadLatest();
      return;
    case "memories":
      t.memories();
      return;
  }
}

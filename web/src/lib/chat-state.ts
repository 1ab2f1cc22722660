/** The signals of one conversation, and the one way stored messages enter them. */
import { createSignal } from "solid-js";
import type { Message } from "../../../worker/shared/wire";

/** An optimistic message not yet stored. */
export const isLocal = (id: string) => id.startsWith("local-");

export type Phase = "loading" | "idle" | "sending" | "streaming" | "stopping";

export interface ChatError {
  message: string;
  retry?: () => void;
}

export function createChatState() {
  const [messages, setMessages] = createSignal<Message[]>([]);
  /** The reply as streamed so far; null when none is streaming. */
  const [draft, setDraft] = createSignal<string | null>(null);
  const [phase, setPhase] = createSignal<Phase>("loading");
  const [error, setError] = createSignal<ChatError | null>(null);
  const [nextBefore, setNextBefore] = createSignal<string | null>(null);
  const [loadingOlder, setLoadingOlder] = createSignal(false);

  /**
   * Puts a stored message in place of its earlier copy (or of `replaceId`, or
   * of the optimistic copy of the same text another tab's echo may beat),
   * else in id order: ids grow with time, and local ones stay last.
   */
  const upsert = (m: Message | undefined, replaceId?: string) => {
    if (!m) return;
    setMessages((ms) => {
      if (ms.some((x) => x.id === m.id)) {
        return ms.filter((x) => x.id !== replaceId || x.id === m.id).map((x) => (x.id === m.id ? m : x));
      }
      const twin = replaceId ?? ms.find((x) => isLocal(x.id) && x.role === m.role && x.content === m.content)?.id;
      if (twin && ms.some((x) => x.id === twin)) return ms.map((x) => (x.id === twin ? m : x));
      const at = ms.findIndex((x) => isLocal(x.id) || x.id > m.id);
      return at < 0 ? [...ms, m] : [...ms.slice(0, at), m, ...ms.slice(at)];
    });
  };
  const remove = (id: string) => setMessages((ms) => ms.filter((x) => x.id !== id));

  return {
    messages,
    setMessages,
    draft,
    setDraft,
    phase,
    setPhase,
    error,
    setError,
    nextBefore,
    setNextBefore,
    loadingOlder,
    setLoadingOlder,
    upsert,
    remove,
  };
}

export type ChatState = ReturnType<typeof createChatState>;

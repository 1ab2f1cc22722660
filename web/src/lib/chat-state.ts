/** The signals of one conversation, and the one way stored messages enter them. */
import { createSignal } from "solid-js";
import type { Message } from "../../../worker/shared/wire";

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

  /** Puts a stored message in place of its earlier copy (or of `replaceId`), else at the end. */
  const upsert = (m: Message | undefined, replaceId?: string) => {
    if (!m) return;
    setMessages((ms) => {
      if (ms.some((x) => x.id === m.id)) {
        return ms.filter((x) => x.id !== replaceId || x.id === m.id).map((x) => (x.id === m.id ? m : x));
      }
      return replaceId && ms.some((x) => x.id === replaceId) ? ms.map((x) => (x.id === replaceId ? m : x)) : [...ms, m];
    });
  };

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
  };
}

export type ChatState = ReturnType<typeof createChatState>;

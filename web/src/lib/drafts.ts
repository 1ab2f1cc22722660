/**
 * What the user has typed in a conversation's message box, kept per
 * conversation in localStorage so a reload, a failed send or a closed tab
 * never loses it. The stored copy is cleared only once the server has taken
 * the message.
 */
import { type Accessor, createSignal } from "solid-js";
import type { ChatRef } from "./chat-api";

const key = (ref: ChatRef) => `draft:${ref.characterId}:${ref.chatId}`;

function read(ref: ChatRef): string {
  try {
    return localStorage.getItem(key(ref)) ?? "";
  } catch {
    return "";
  }
}

function write(ref: ChatRef, text: string): void {
  try {
    if (text) localStorage.setItem(key(ref), text);
    else localStorage.removeItem(key(ref));
  } catch {
    /* storage full or off: the box still holds the text */
  }
}

export interface Draft {
  text: Accessor<string>;
  /** The user typed: shown and stored. */
  set: (text: string) => void;
  /** Sending: the box empties, the stored copy stays until `taken`. */
  sending: () => string;
  /** The server stored the message: the stored copy follows the box. */
  taken: () => void;
  /** The send failed: the text goes back (before anything typed since). */
  restore: (text: string) => void;
}

export function createDraft(ref: ChatRef): Draft {
  const [text, setText] = createSignal(read(ref));
  return {
    text,
    set: (t) => {
      setText(t);
      write(ref, t);
    },
    sending: () => {
      const t = text();
      setText("");
      return t;
    },
    taken: () => write(ref, text()),
    restore: (t) => {
      const now = text().trim();
      const back = now && now !== t.trim() ? `${t}\n${text()}` : t;
      setText(back);
      write(ref, back);
    },
  };
}

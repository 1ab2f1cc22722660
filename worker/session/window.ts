/**
 * The session object's hot state: the recent active turns with their token
 * counts, the user's profile, and the vocabulary of those turns (which word
 * stems each message uses, for recall to weigh down what the prompt already
 * dwells on).
 */

import type { PreparedCharacter } from "../context/character-prompt";
import { stemsOf } from "../recall/words";
import type { Message, Persona } from "../shared/wire";
import type { ChatRef, Pair, StoredMessage } from "./types";

/** Messages kept in memory; the prompt takes the newest that fit its budget. */
export const HOT_LIMIT = 400;

export interface Hot {
  pair: Pair;
  /** Which of the pair's conversations this is. */
  chat: string;
  sessionId: string;
  profile: { displayName: string; persona: string };
  /** The persona chosen for this conversation; when null the profile speaks for the user. */
  persona: Persona | null;
  /** Active messages, oldest first. */
  window: StoredMessage[];
  /** Whether PostgreSQL holds active messages older than the local ones ("unknown" until it answers). */
  cold: "none" | "some" | "unknown";
  /** Whether active messages older than the window's oldest may exist (here or in PostgreSQL): recall has something to look through. */
  beyond: boolean;
  /** The character prepared for this conversation's user (prompt-for.ts), kept while neither changes. */
  prepared?: { key: string; value: PreparedCharacter };
  /**
   * For each word stem, the ids (oldest first) of the window messages that
   * use it; made when recall first asks (`inPrompt`), so a conversation that
   * never recalls (its whole history in the window) never stems it.
   */
  vocab: Map<string, string[]> | null;
}

export function createHot(
  ref: ChatRef,
  sessionId: string,
  profile: Hot["profile"],
  persona: Persona | null,
  window: StoredMessage[],
  cold: Hot["cold"],
  beyond = true,
): Hot {
  const pair = { userId: ref.userId, characterId: ref.characterId };
  return { pair, chat: ref.chat, sessionId, profile, persona, window, cold, beyond, vocab: null };
}

/** Who the user is in this conversation: the chosen persona, else the profile. */
export function userIdentity(hot: Hot): { name: string; persona: string } {
  return hot.persona
    ? { name: hot.persona.name, persona: hot.persona.description }
    : { name: hot.profile.displayName, persona: hot.profile.persona };
}

/**
 * Whether a word stem is already a topic of the prompt: used by at least
 * two of its messages (id ≥ `oldestInPrompt`) besides `selfId`. Recall
 * weighs it down; a word asked about once before still counts in full.
 */
export function inPrompt(hot: Hot, stem: string, oldestInPrompt: string, selfId: string): boolean {
  if (!hot.vocab) {
    hot.vocab = new Map();
    for (const m of hot.window) index(hot.vocab, m);
  }
  const ids = hot.vocab.get(stem);
  if (!ids) return false;
  let seen = 0;
  for (let i = ids.length - 1; i >= 0 && ids[i] >= oldestInPrompt; i--) if (ids[i] !== selfId && ++seen >= 2) return true;
  return false;
}

function index(vocab: Map<string, string[]>, m: StoredMessage): void {
  for (const w of new Set(stemsOf(m.content))) {
    const ids = vocab.get(w);
    if (ids) ids.push(m.id);
    else vocab.set(w, [m.id]);
  }
}

function unindex(vocab: Map<string, string[]>, m: StoredMessage, end: "oldest" | "newest"): void {
  for (const w of new Set(stemsOf(m.content))) {
    const ids = vocab.get(w);
    if (!ids) continue;
    if (end === "oldest") ids.shift();
    else ids.pop();
    if (ids.length === 0) vocab.delete(w);
  }
}

/** Adds a message to the window, dropping the oldest beyond the limit. */
export function pushWindow(hot: Hot, m: StoredMessage): void {
  hot.window.push(m);
  if (hot.vocab) index(hot.vocab, m);
  if (hot.window.length > HOT_LIMIT) {
    hot.beyond = true;
    const gone = hot.window.splice(0, hot.window.length - HOT_LIMIT);
    if (hot.vocab) for (const old of gone) unindex(hot.vocab, old, "oldest");
  }
}

export function popWindow(hot: Hot): void {
  const m = hot.window.pop();
  if (m && hot.vocab) unindex(hot.vocab, m, "newest");
}

/**
 * An active message of this conversation by id: the object's own row, or one
 * that lives only in PostgreSQL and was loaded into the window.
 */
export function activeMessage(hot: Hot, local: StoredMessage | null, id: string): StoredMessage | null {
  if (local) return local.active && local.chat === hot.chat ? local : null;
  return hot.window.find((m) => m.id === id) ?? null;
}

export function toWire(m: StoredMessage): Message {
  return { id: m.id, role: m.role, content: m.content, status: m.status, createdAt: new Date(m.createdAt).toISOString() };
}

/**
 * The session object's hot state: the recent active turns with their token
 * counts and the user's profile, rebuilt after a restart from the object's
 * own storage and, for older turns, from PostgreSQL.
 */
import type { Db } from "../db/client";
import { newId } from "../ids";
import { searchWords } from "../memory/recall-query";
import type { Message } from "../shared/wire";
import { loadProfile, olderActive, type Pair, registerSession } from "./cold";
import type { Store, StoredMessage } from "./store";

/** Messages kept in memory; the prompt takes the newest that fit its budget. */
export const HOT_LIMIT = 400;

export interface Hot {
  pair: Pair;
  sessionId: string;
  profile: { displayName: string; persona: string };
  /** Active messages, oldest first. */
  window: StoredMessage[];
  /** Whether PostgreSQL holds active messages older than the local ones ("unknown" until it answers). */
  cold: "none" | "some" | "unknown";
  /** The last system text and its token count, so an unchanged sheet is not re-counted each turn. */
  system?: { text: string; tokens: number };
  /** For each searchable word, the ids (oldest first) of the window messages that use it. */
  vocab: Map<string, string[]>;
}

/**
 * Whether `word` is already a topic of the prompt: used by at least two of
 * its messages (id ≥ `oldestInPrompt`) besides `selfId`. Recall looks for
 * the other words; a word asked about once before still gets looked up.
 */
export function inPrompt(hot: Hot, word: string, oldestInPrompt: string, selfId: string): boolean {
  const ids = hot.vocab.get(word);
  if (!ids) return false;
  let seen = 0;
  for (let i = ids.length - 1; i >= 0 && ids[i] >= oldestInPrompt; i--) if (ids[i] !== selfId && ++seen >= 2) return true;
  return false;
}

function index(vocab: Map<string, string[]>, m: StoredMessage): void {
  for (const w of searchWords(m.content)) {
    const ids = vocab.get(w);
    if (ids) ids.push(m.id);
    else vocab.set(w, [m.id]);
  }
}

function unindex(vocab: Map<string, string[]>, m: StoredMessage, end: "oldest" | "newest"): void {
  for (const w of searchWords(m.content)) {
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
  index(hot.vocab, m);
  if (hot.window.length > HOT_LIMIT)
    for (const old of hot.window.splice(0, hot.window.length - HOT_LIMIT)) unindex(hot.vocab, old, "oldest");
}

export function popWindow(hot: Hot): void {
  const m = hot.window.pop();
  if (m) unindex(hot.vocab, m, "newest");
}

export function toWire(m: StoredMessage): Message {
  return { id: m.id, role: m.role, content: m.content, status: m.status, createdAt: new Date(m.createdAt).toISOString() };
}

/**
 * Builds the hot state; reads PostgreSQL only for what the object's storage
 * does not have. "gone" when PostgreSQL says the user no longer exists (a
 * deleted account's unexpired token must not bring a conversation back).
 */
export async function loadHot(store: Store, pair: Pair, db: () => Db): Promise<Hot | "gone"> {
  let sessionId = store.getMeta("session_id");
  if (!sessionId) {
    const id = newId();
    sessionId = (await registerSession(db(), pair, id).catch(() => null)) ?? id;
    store.setMeta("session_id", sessionId);
  }
  const savedProfile = store.getMeta("profile");
  let profile = savedProfile ? (JSON.parse(savedProfile) as Hot["profile"]) : null;
  if (!profile) {
    const loaded = await loadProfile(db(), pair.userId).catch(() => undefined);
    if (loaded === null) return "gone";
    profile = loaded ?? null;
    if (profile) store.setMeta("profile", JSON.stringify(profile));
  }
  const window = store.recentActive(HOT_LIMIT);
  let cold = (store.getMeta("cold") as Hot["cold"] | null) ?? "unknown";
  if (cold !== "none" && window.length < HOT_LIMIT) {
    const older = await olderActive(db(), pair, store.oldestId(), HOT_LIMIT - window.length).catch(() => null);
    if (older) {
      // Messages this object wrote itself are local; older ones exist only in PostgreSQL.
      if (cold === "unknown") {
        cold = older.length > 0 ? "some" : "none";
        store.setMeta("cold", cold);
      }
      window.unshift(...older);
    }
  }
  const vocab = new Map<string, string[]>();
  for (const m of window) index(vocab, m);
  return { pair, sessionId, profile: profile ?? { displayName: "", persona: "" }, window, cold, vocab };
}

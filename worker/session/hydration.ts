/**
 * Opening a conversation of the session object: the owner check, and the
 * conversation's hot state rebuilt from the object's own storage and, for
 * older turns, from PostgreSQL. Callers that arrive while a conversation
 * loads share the one load; a load made stale by `invalidate()` (a rewind,
 * an edit, a swipe) is never installed. A few conversations stay hot; the
 * least recently used one that is not writing a reply makes room.
 */
import { findSession, registerSession } from "../db/chats";
import { olderActive } from "../db/messages";
import { loadProfile } from "../db/users";
import { newId } from "../ids";
import type { Chats } from "./chats";
import type { SessionPg } from "./pg";
import type { Store } from "./store";
import { type Caller, type ChatRef, type Fail, MAIN_CHAT } from "./types";
import { createHot, HOT_LIMIT, type Hot } from "./window";

/** Conversations kept hot at once (each holds up to HOT_LIMIT messages). */
const MAX_HOT = 3;

export interface HydrationDeps {
  store: Store;
  chats: Chats;
  pg: SessionPg;
  /** The user no longer exists: empty this object (a deleted account's token must not bring it back). */
  forget: () => Promise<void>;
  /** A fresh hot state was installed. */
  loaded: (hot: Hot) => void;
  /** Whether a reply is being written in `chat` (its hot state must stay). */
  busy: (chat: string) => boolean;
}

type Profile = Hot["profile"];
interface Slot {
  hot: Hot | null;
  generation: number;
  loading: { generation: number; promise: Promise<Hot | "gone"> } | null;
}

export function createHydration(deps: HydrationDeps) {
  const { store } = deps;
  const slots = new Map<string, Slot>();
  let profile: Profile | null = null;

  const slot = (chat: string): Slot => {
    let s = slots.get(chat);
    if (!s) slots.set(chat, (s = { hot: null, generation: 0, loading: null }));
    return s;
  };

  /** Whether the caller is not this object's owner (read only: the owner is recorded when it first opens). */
  function foreign(caller: Caller): boolean {
    const owner = store.getMeta("owner");
    return owner !== null && (owner !== caller.userId || store.getMeta("character") !== caller.characterId);
  }

  /** Marks `chat` most recently used; beyond MAX_HOT, the least recently used idle conversation is let go. */
  function touch(chat: string): void {
    const s = slot(chat);
    slots.delete(chat);
    slots.set(chat, s);
    const idle = [...slots.entries()].filter(([c, x]) => x.hot && !x.loading && c !== chat && !deps.busy(c));
    while (idle.length > 0 && [...slots.values()].filter((x) => x.hot).length > MAX_HOT) slots.delete(idle.shift()![0]);
  }

  function install(chat: string, hot: Hot): void {
    slot(chat).hot = hot;
    touch(chat);
    deps.loaded(hot);
  }

  function load(ref: ChatRef): Promise<Hot | "gone"> {
    const s = slot(ref.chat);
    if (s.loading?.generation === s.generation) return s.loading.promise;
    const at = s.generation;
    const promise = loadHot(store, deps.chats, ref, deps.pg, () => profile).then((loaded) => {
      if (loaded === "gone") return loaded;
      profile = loaded.profile;
      if (slot(ref.chat).generation === at) install(ref.chat, loaded);
      return loaded;
    });
    s.loading = { generation: at, promise };
    void promise.finally(() => {
      const now = slots.get(ref.chat);
      if (now?.loading?.promise === promise) now.loading = null;
    });
    return promise;
  }

  return {
    /** The hot state of `chat`, when loaded. */
    current(chat: string): Hot | null {
      return slots.get(chat)?.hot ?? null;
    },
    foreign,
    /**
     * The caller's conversation, hot, after checking that the caller owns this
     * object; the first caller becomes its owner. Call it only once the caller
     * is known to be allowed the character: it writes.
     */
    async open(caller: Caller): Promise<Hot | Fail> {
      if (foreign(caller)) return { ok: false, code: "forbidden" };
      const chat = caller.chat ?? MAIN_CHAT;
      const hot = slots.get(chat)?.hot;
      if (hot) {
        touch(chat);
        return hot;
      }
      if (store.getMeta("owner") === null) {
        store.setMeta("owner", caller.userId);
        store.setMeta("character", caller.characterId);
      }
      if (!deps.chats.get(chat)) return { ok: false, code: "chat_not_found" };
      for (;;) {
        const at = slot(chat).generation;
        const loaded = await load({ userId: caller.userId, characterId: caller.characterId, chat });
        if (loaded === "gone") {
          await deps.forget();
          return { ok: false, code: "unauthorized" };
        }
        const now = slot(chat);
        if (at === now.generation && now.hot) return now.hot;
      }
    },
    /** The stored history of `chat` changed under its hot state (or `chat` is gone): the next call rebuilds it. */
    invalidate(chat: string): void {
      const s = slot(chat);
      s.hot = null;
      s.generation++;
    },
    /** Every conversation is forgotten (the object's storage was emptied). */
    invalidateAll(): void {
      for (const chat of slots.keys()) this.invalidate(chat);
      profile = null;
    },
    /** The user's profile changed: every hot conversation's next prompt uses it. */
    setProfile(next: Profile): void {
      store.setMeta("profile", JSON.stringify(next));
      if (profile) Object.assign(profile, next);
    },
  };
}

export type Hydration = ReturnType<typeof createHydration>;

/**
 * Builds a conversation's hot state; reads PostgreSQL only for what the
 * object's storage does not have. The reads go out together (postgres.js
 * pipelines them on the object's one connection): a cold open costs one
 * round trip, and a second only when the conversation was never registered.
 */
async function loadHot(store: Store, chats: Chats, ref: ChatRef, pg: SessionPg, known: () => Profile | null): Promise<Hot | "gone"> {
  const chat = chats.get(ref.chat);
  const saved = known() ?? parseProfile(store.getMeta("profile"));
  const window = store.recentActive(ref.chat, HOT_LIMIT);
  let cold = chat?.cold ?? "unknown";
  const wanted = cold !== "none" ? HOT_LIMIT - window.length : 0;
  const oldest = store.oldestId(ref.chat);
  const [found, loaded, older] = await Promise.all([
    chat?.sessionId ?? pg.run((h) => findSession(h.db, ref)).catch(() => null),
    saved ?? pg.run((h) => loadProfile(h.db, ref.userId)).catch(() => undefined),
    wanted > 0 ? pg.run((h) => olderActive(h.db, ref, oldest, wanted)).catch(() => null) : [],
  ]);
  if (loaded === null) return "gone";
  let sessionId = found;
  if (!sessionId) {
    const id = newId();
    sessionId = (await pg.run((h) => registerSession(h.db, ref, id)).catch(() => null)) ?? id;
  }
  if (sessionId !== chat?.sessionId) chats.set(ref.chat, { sessionId });
  const profile = loaded ?? null;
  if (profile && !saved) store.setMeta("profile", JSON.stringify(profile));
  if (older) {
    // Messages this object wrote itself are local; older ones exist only in PostgreSQL.
    if (cold === "unknown" && wanted > 0) {
      cold = older.length > 0 ? "some" : "none";
      chats.set(ref.chat, { cold });
    }
    window.unshift(...older);
  }
  // Unknown (PostgreSQL did not answer) counts as more history.
  const beyond = older === null || window.length >= HOT_LIMIT;
  return createHot(ref, sessionId, profile ?? { displayName: "", persona: "" }, chat?.persona ?? null, window, cold, beyond);
}

function parseProfile(raw: string | null): Profile | null {
  return raw ? (JSON.parse(raw) as Profile) : null;
}

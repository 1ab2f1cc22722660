/**
 * Opening a session object: the owner check, and the hot state rebuilt from
 * the object's own storage and, for older turns, from PostgreSQL. Callers
 * that arrive while it loads share the one load; a load made stale by
 * `invalidate()` (a rewind, an edit, a swipe) is never installed.
 */
import { registerSession } from "../db/chats";
import { olderActive } from "../db/messages";
import { loadProfile } from "../db/users";
import { newId } from "../ids";
import type { SessionPg } from "./pg";
import type { Store } from "./store";
import type { Caller, Fail, Pair } from "./types";
import { createHot, HOT_LIMIT, type Hot } from "./window";

export interface HydrationDeps {
  store: Store;
  pg: SessionPg;
  /** The user no longer exists: empty this object (a deleted account's token must not bring it back). */
  forget: () => Promise<void>;
  /** A fresh hot state was installed. */
  loaded: (hot: Hot) => void;
}

const FORBIDDEN: Fail = { ok: false, code: "forbidden" };

export function createHydration(deps: HydrationDeps) {
  const { store } = deps;
  let hot: Hot | null = null;
  let generation = 0;
  let loading: { generation: number; promise: Promise<Hot | "gone"> } | null = null;

  /** Whether the caller is not this object's owner (read only: the owner is recorded when it first opens). */
  function foreign(caller: Caller): boolean {
    if (hot) return hot.pair.userId !== caller.userId || hot.pair.characterId !== caller.characterId;
    const owner = store.getMeta("owner");
    return owner !== null && (owner !== caller.userId || store.getMeta("character") !== caller.characterId);
  }

  function load(pair: Pair): Promise<Hot | "gone"> {
    if (loading?.generation === generation) return loading.promise;
    const at = generation;
    const promise = loadHot(store, pair, deps.pg).then((h) => {
      if (h !== "gone" && at === generation) {
        hot = h;
        deps.loaded(h);
      }
      return h;
    });
    loading = { generation: at, promise };
    void promise.finally(() => {
      if (loading?.promise === promise) loading = null;
    });
    return promise;
  }

  return {
    /** The hot state, when loaded. */
    get current(): Hot | null {
      return hot;
    },
    foreign,
    /**
     * The hot state, after checking that the caller owns this object; the
     * first caller becomes its owner. Call it only once the caller is known
     * to be allowed the character: it writes.
     */
    async open(caller: Caller): Promise<Hot | Fail> {
      if (foreign(caller)) return FORBIDDEN;
      if (hot) return hot;
      if (store.getMeta("owner") === null) {
        store.setMeta("owner", caller.userId);
        store.setMeta("character", caller.characterId);
      }
      for (;;) {
        const at = generation;
        const loaded = await load({ userId: caller.userId, characterId: caller.characterId });
        if (loaded === "gone") {
          await deps.forget();
          return { ok: false, code: "unauthorized" };
        }
        if (at === generation && hot) return hot;
      }
    },
    /** The stored history changed under the hot state: the next call rebuilds it. */
    invalidate(): void {
      hot = null;
      generation++;
    },
  };
}

export type Hydration = ReturnType<typeof createHydration>;

/** Builds the hot state; reads PostgreSQL only for what the object's storage does not have. */
async function loadHot(store: Store, pair: Pair, pg: SessionPg): Promise<Hot | "gone"> {
  let sessionId = store.getMeta("session_id");
  if (!sessionId) {
    const id = newId();
    sessionId = (await pg.run((h) => registerSession(h.db, pair, id)).catch(() => null)) ?? id;
    store.setMeta("session_id", sessionId);
  }
  const savedProfile = store.getMeta("profile");
  let profile = savedProfile ? (JSON.parse(savedProfile) as Hot["profile"]) : null;
  if (!profile) {
    const loaded = await pg.run((h) => loadProfile(h.db, pair.userId)).catch(() => undefined);
    if (loaded === null) return "gone";
    profile = loaded ?? null;
    if (profile) store.setMeta("profile", JSON.stringify(profile));
  }
  const window = store.recentActive(HOT_LIMIT);
  let cold = (store.getMeta("cold") as Hot["cold"] | null) ?? "unknown";
  if (cold !== "none" && window.length < HOT_LIMIT) {
    const older = await pg.run((h) => olderActive(h.db, pair, store.oldestId(), HOT_LIMIT - window.length)).catch(() => null);
    if (older) {
      // Messages this object wrote itself are local; older ones exist only in PostgreSQL.
      if (cold === "unknown") {
        cold = older.length > 0 ? "some" : "none";
        store.setMeta("cold", cold);
      }
      window.unshift(...older);
    }
  }
  return createHot(pair, sessionId, profile ?? { displayName: "", persona: "" }, window, cold);
}

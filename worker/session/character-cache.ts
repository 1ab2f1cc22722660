/**
 * The conversation's character, kept in memory and in storage (with when it
 * was read, so an object restarted after idling does not read it again; and
 * for outages), and checked as readable by the caller. The routes push a
 * refresh when it changes, so a turn reads neither PostgreSQL nor Redis for it.
 */
import type { CharacterSnapshot } from "../context/system-prompt";
import { findCharacterOrNull, toSnapshot } from "../db/characters";
import { errorKind, logEvent } from "../log";
import type { SessionPg } from "./pg";
import type { Store } from "./store";
import type { Caller, Fail } from "./types";

/** A safety net only: edits and visibility changes are pushed by the routes. */
const MAX_AGE_MS = 10 * 60_000;

interface Kept {
  snap: CharacterSnapshot;
  readAt: number;
}

export function createCharacterCache(store: Store, pg: SessionPg) {
  let snapshot: CharacterSnapshot | null = null;
  let readAt = 0;

  /** The snapshot kept in storage and when it was read, so an object that restarts (idle eviction) trusts it as long as the one before would have. */
  function saved(): Kept | null {
    const raw = store.getMeta("character_snapshot");
    if (!raw) return null;
    const kept = JSON.parse(raw) as Kept | CharacterSnapshot;
    // Objects written before the time was kept hold the snapshot alone: read again.
    return "snap" in kept ? kept : { snap: kept, readAt: 0 };
  }
  const keep = (snap: CharacterSnapshot) => store.setMeta("character_snapshot", JSON.stringify({ snap, readAt } satisfies Kept));
  /** The kept snapshot is to be read again, by this object or the next (it stays, for outages). */
  const stale = () => {
    const kept = saved();
    if (kept) store.setMeta("character_snapshot", JSON.stringify({ snap: kept.snap, readAt: 0 } satisfies Kept));
  };

  return {
    /** The last snapshot read, if any. */
    get current(): CharacterSnapshot | null {
      return snapshot;
    },
    /** The character, read again when stale; refused when the caller may not use it. */
    async get(caller: Caller): Promise<CharacterSnapshot | Fail> {
      if (!snapshot) {
        const kept = saved();
        if (kept) ({ snap: snapshot, readAt } = kept);
      }
      let snap = snapshot;
      let fresh = false;
      if (!snap || Date.now() - readAt > MAX_AGE_MS) {
        const row = await pg
          .run((h) => findCharacterOrNull(h.db, caller.characterId))
          .catch((err: unknown) => {
            logEvent("warn", "character_read_failed", { error: errorKind(err) });
            return undefined;
          });
        if (row === null) return { ok: false, code: "character_not_found" };
        if (row !== undefined) {
          // What was read is what the next call checks, even when it is refused below.
          snap = snapshot = toSnapshot(row);
          readAt = Date.now();
          fresh = true;
        } else if (!snap) {
          return { ok: false, code: "database_unavailable" };
        }
      }
      // Someone else's private character is refused before anything is written (its sheet is not kept).
      const allowed = snap.visibility === "public" || snap.creatorId === caller.userId;
      if (fresh) {
        if (allowed) keep(snap);
        else stale();
      }
      return allowed ? snap : { ok: false, code: "character_not_found" };
    },
    /** The character changed: read it again on the next turn. */
    refresh(): void {
      readAt = 0;
      stale();
    },
    clear(): void {
      snapshot = null;
      readAt = 0;
    },
  };
}

export type CharacterCache = ReturnType<typeof createCharacterCache>;

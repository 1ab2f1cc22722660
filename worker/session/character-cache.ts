/**
 * The conversation's character, kept in memory (and in storage, for
 * outages) and checked as readable by the caller. The routes push a refresh
 * when it changes, so a hot turn reads neither PostgreSQL nor Redis for it.
 */
import type { CharacterSnapshot } from "../context/system-prompt";
import { findCharacterOrNull, toSnapshot } from "../db/characters";
import { errorKind, logEvent } from "../log";
import type { SessionPg } from "./pg";
import type { Store } from "./store";
import type { Caller, Fail } from "./types";

/** A safety net only: edits and visibility changes are pushed by the routes. */
const MAX_AGE_MS = 10 * 60_000;

export function createCharacterCache(store: Store, pg: SessionPg) {
  let snapshot: CharacterSnapshot | null = null;
  let readAt = 0;

  function saved(): CharacterSnapshot | null {
    const raw = store.getMeta("character_snapshot");
    return raw ? (JSON.parse(raw) as CharacterSnapshot) : null;
  }

  return {
    /** The last snapshot read, if any. */
    get current(): CharacterSnapshot | null {
      return snapshot;
    },
    /** The character, read again when stale; refused when the caller may not use it. */
    async get(caller: Caller): Promise<CharacterSnapshot | Fail> {
      let snap = snapshot ?? saved();
      if (!snap || Date.now() - readAt > MAX_AGE_MS) {
        const row = await pg
          .run((h) => findCharacterOrNull(h.db, caller.characterId))
          .catch((err: unknown) => {
            logEvent("warn", "character_read_failed", { error: errorKind(err) });
            return undefined;
          });
        if (row === null) return { ok: false, code: "character_not_found" };
        if (row !== undefined) {
          snap = toSnapshot(row);
          readAt = Date.now();
        } else if (!snap) {
          return { ok: false, code: "database_unavailable" };
        }
      }
      // Someone else's private character is refused before anything is written.
      if (!(snap.visibility === "public" || snap.creatorId === caller.userId)) return { ok: false, code: "character_not_found" };
      if (snap !== snapshot) store.setMeta("character_snapshot", JSON.stringify(snap));
      snapshot = snap;
      return snap;
    },
    /** The character changed: read it again on the next turn. */
    refresh(): void {
      readAt = 0;
    },
    clear(): void {
      snapshot = null;
      readAt = 0;
    },
  };
}

export type CharacterCache = ReturnType<typeof createCharacterCache>;

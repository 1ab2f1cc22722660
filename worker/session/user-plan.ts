/**
 * The owner's plan limits, read from PostgreSQL and kept in the object's own
 * storage for a few minutes, so a hot turn does not query for them: the
 * turn signs them into its tunnel tokens and the gateway enforces them. The
 * first turn waits for them; later ones refresh them in the background. When
 * they cannot be read, tokens go without them and the gateway's defaults hold.
 */
import { planOf } from "../db/plans";
import type { SessionPg } from "./pg";
import type { Store } from "./store";

export interface Limits {
  dailyTokens: number;
  maxStreams: number;
}

/** A plan change reaches a hot conversation within this long. */
export const PLAN_TTL_MS = 5 * 60_000;
/** The longest a first turn waits for the plan: a slow database must not hold a reply up (the read goes on). */
const FIRST_WAIT_MS = 2_000;

interface Kept {
  limits: Limits | null;
  at: number;
}

export function createUserPlan(store: Store, pg: SessionPg, now: () => number = Date.now) {
  let asking: Promise<void> | undefined;

  const kept = (): Kept | undefined => {
    const raw = store.getMeta("plan");
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as Kept;
    } catch {
      return undefined;
    }
  };

  const ask = (userId: string): Promise<void> =>
    (asking ??= pg
      .run((h) => planOf(h.db, userId))
      .then(
        (plan): Kept => ({ limits: plan ? { dailyTokens: plan.dailyTokens, maxStreams: plan.maxStreams } : null, at: now() }),
        // Unreadable: keep what was known, and ask again after a while.
        (): Kept => ({ limits: kept()?.limits ?? null, at: now() }),
      )
      .then((entry) => store.setMeta("plan", JSON.stringify(entry)))
      .finally(() => (asking = undefined)));

  return {
    /** The owner's limits as last read, if any. */
    known(): Limits | undefined {
      return kept()?.limits ?? undefined;
    },
    /** Reads them when never read (waiting), or in the background (`waitUntil`) when old. */
    async prepare(userId: string, waitUntil: (p: Promise<unknown>) => void): Promise<void> {
      const entry = kept();
      if (!entry) {
        const reading = ask(userId);
        waitUntil(reading);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([reading, new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_WAIT_MS)))]);
        clearTimeout(timer);
        return;
      }
      if (now() - entry.at >= PLAN_TTL_MS) waitUntil(ask(userId));
    },
  };
}

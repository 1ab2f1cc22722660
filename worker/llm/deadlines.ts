/**
 * The three deadlines of one completion: time to first token, the gap
 * between tokens, and the total. Built for the streaming hot path: a token
 * costs one `Date.now()` and no timer churn, because the gap timer is lazy
 * (when it fires early it re-arms itself for the time still left). Time the
 * consumer spends holding a yielded event does not count as a gap.
 */

export type DeadlineKind = "first_token" | "gap" | "total";

export interface DeadlineLimits {
  firstTokenMs: number;
  gapMs: number;
  totalMs: number;
}

export interface Deadlines {
  /** Which deadline passed, once one has; `onExpire` has been called then. */
  readonly expired: DeadlineKind | null;
  /** A token arrived. */
  token(): void;
  /** The consumer holds the stream (we are suspended at a yield). */
  pause(): void;
  /** The consumer asked for more. */
  resume(): void;
  /** Stops every timer. */
  dispose(): void;
}

/** Starts the clocks now; `onExpire` runs once, when the first deadline passes. */
export function createDeadlines(limits: DeadlineLimits, onExpire: (kind: DeadlineKind) => void): Deadlines {
  let expired: DeadlineKind | null = null;
  let sawToken = false;
  let paused = false;
  let mark = Date.now();
  let stepTimer: ReturnType<typeof setTimeout> | undefined;

  const expire = (kind: DeadlineKind): void => {
    if (expired) return;
    expired = kind;
    dispose();
    onExpire(kind);
  };

  const arm = (ms: number): void => {
    stepTimer = setTimeout(check, Math.max(1, ms));
  };

  // Fires at or before the step deadline; re-arms for what is left, if anything.
  function check(): void {
    stepTimer = undefined;
    if (expired) return;
    const limit = sawToken ? limits.gapMs : limits.firstTokenMs;
    const left = paused ? limit : mark + limit - Date.now();
    if (left > 0) arm(left);
    else expire(sawToken ? "gap" : "first_token");
  }

  const totalTimer = setTimeout(() => expire("total"), limits.totalMs);
  arm(limits.firstTokenMs);

  function dispose(): void {
    clearTimeout(totalTimer);
    if (stepTimer !== undefined) clearTimeout(stepTimer);
    stepTimer = undefined;
  }

  return {
    get expired() {
      return expired;
    },
    token() {
      mark = Date.now();
      if (sawToken || expired) return;
      // The first-token timer may be far out; the gap is usually shorter.
      sawToken = true;
      if (stepTimer !== undefined) clearTimeout(stepTimer);
      arm(limits.gapMs);
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      mark = Date.now();
    },
    dispose,
  };
}

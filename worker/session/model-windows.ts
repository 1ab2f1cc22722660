/**
 * What the upstream says each model's window is, kept in the object's own
 * storage with a time to live (never in module state: isolates are shared).
 * A session's first turn waits for the answer; later ones use what is kept
 * and refresh it in the background once it is old. An upstream that cannot
 * say leaves the configured budget in force.
 */
import { fetchModelWindow } from "../llm/model-window";
import type { LlmConfig } from "../llm/types";
import type { Store } from "./store";

/** How long an answer is trusted; a failed question is asked again sooner. */
export const WINDOW_TTL_MS = 10 * 60_000;
const FAILED_TTL_MS = 60_000;
/** The question is small: it must never hold a turn up for long. */
const ASK_TIMEOUT_MS = 3_000;

interface Kept {
  /** null: the upstream gave no window, or could not be asked. */
  window: number | null;
  at: number;
  failed?: boolean;
}

export function createModelWindows(store: Store, now: () => number = Date.now) {
  const key = (model: string) => `model_window:${model}`;
  const asking = new Map<string, Promise<void>>();

  const kept = (model: string): Kept | undefined => {
    const raw = store.getMeta(key(model));
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as Kept;
    } catch {
      return undefined;
    }
  };

  const ask = (cfg: LlmConfig): Promise<void> => {
    let pending = asking.get(cfg.model);
    if (!pending) {
      // Concurrent turns of the object's conversations share one question.
      pending = fetchModelWindow(cfg, ASK_TIMEOUT_MS)
        .then(
          (window): Kept => ({ window: window ?? null, at: now() }),
          (): Kept => ({ window: kept(cfg.model)?.window ?? null, at: now(), failed: true }),
        )
        .then((entry) => store.setMeta(key(cfg.model), JSON.stringify(entry)))
        .finally(() => asking.delete(cfg.model));
      asking.set(cfg.model, pending);
    }
    return pending;
  };

  return {
    /** The window last reported for `model`, if any. */
    known(model: string): number | undefined {
      return kept(model)?.window ?? undefined;
    },
    /**
     * Makes sure `cfg.model`'s window has been asked: waits when it never
     * was, refreshes in the background (`waitUntil`) when the answer is old.
     */
    async prepare(cfg: LlmConfig, waitUntil: (p: Promise<unknown>) => void): Promise<void> {
      const entry = kept(cfg.model);
      if (!entry) return ask(cfg);
      if (now() - entry.at >= (entry.failed ? FAILED_TTL_MS : WINDOW_TTL_MS)) waitUntil(ask(cfg));
    },
  };
}

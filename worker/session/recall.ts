/**
 * Recall of older turns: from the object's own full-text index once it holds
 * the whole active history, from PostgreSQL while it is being filled (after a
 * restart, in the background, a page at a time). Only this pair's turns are
 * ever searched.
 */
import { olderActive, recallMessages } from "../db/messages";
import { errorKind, logEvent } from "../log";
import type { Recall } from "./assemble";
import type { SessionPg } from "./pg";
import type { RecallIndex } from "./recall-index";
import type { Store } from "./store";
import type { Hot } from "./window";

const PAGE = 2_000;

export interface RecallDeps {
  storage: DurableObjectStorage;
  store: Store;
  index: RecallIndex;
  pg: SessionPg;
  /** Whether `hot` is still the object's hot state (not deleted or rewound meanwhile). */
  stillCurrent: (hot: Hot) => boolean;
  waitUntil: (p: Promise<unknown>) => void;
}

export function createRecall(deps: RecallDeps) {
  const { store, index } = deps;
  /** Whether the index holds the whole active history. */
  let indexed = false;

  function markIndexed(): void {
    store.setMeta("recall_index", "complete");
    indexed = true;
  }

  function reindexLocal(): void {
    deps.storage.transactionSync(() => {
      index.clear();
      for (const m of store.allActive()) index.add(m);
    });
  }

  async function backfill(hot: Hot): Promise<void> {
    reindexLocal();
    let before = store.oldestId();
    for (;;) {
      const page = await deps.pg.run((h) => olderActive(h.db, hot.pair, before, PAGE));
      if (page.length === 0) break;
      if (!deps.stillCurrent(hot)) return; // the next open starts again
      deps.storage.transactionSync(() => {
        for (const m of page) index.add(m);
      });
      before = page[0].id;
    }
    markIndexed();
  }

  return {
    /** A hot state was loaded: make the index whole, at once or in the background. */
    prepare(hot: Hot): void {
      indexed = store.getMeta("recall_index") === "complete";
      if (indexed || hot.cold === "unknown") return;
      if (hot.cold === "none") {
        reindexLocal();
        markIndexed();
        return;
      }
      deps.waitUntil(
        backfill(hot).catch((err: unknown) => {
          logEvent("warn", "recall_backfill_failed", { error: errorKind(err) });
        }),
      );
    },
    /** The search to use for `hot` right now. */
    search(hot: Hot): Recall {
      if (indexed) return async (terms, beforeId, limit) => index.search(terms, beforeId, limit);
      return (terms, beforeId, limit) => deps.pg.run((h) => recallMessages(h.sql, hot.pair, terms, beforeId, limit));
    },
    reset(): void {
      indexed = false;
    },
  };
}

export type RecallSource = ReturnType<typeof createRecall>;

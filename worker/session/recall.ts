/**
 * Recall of a conversation's older turns: from the object's own full-text
 * index once it holds that conversation's whole active history, from
 * PostgreSQL while it is being filled (after a restart, in the background, a
 * page at a time). Only this conversation's turns are ever searched.
 */
import { olderActive } from "../db/messages";
import { recallIndexPg } from "../db/recall";
import { errorKind, logEvent } from "../log";
import type { IndexedTurn, TermIndex } from "../recall/index-types";
import { lexicalRetriever } from "../recall/lexical";
import type { RecallSettings } from "../recall/settings";
import type { Retriever } from "../recall/types";
import type { Chats } from "./chats";
import type { SessionPg } from "./pg";
import type { RecallIndex } from "./recall-index";
import type { Store } from "./store";
import type { Hot } from "./window";

/** Rows indexed per step: each step is synchronous work on the object's one thread, so it stays short. */
const PAGE = 500;
/** The backfill starts this long after the load that asked for it, so the turn that woke the object goes first. */
const START_DELAY_MS = 250;
/** Pages a step of merging the index's b-trees writes at most (a few milliseconds). */
const MERGE_PAGES = 64;
/** Replies between two steps of merging (each reply adds two small b-trees). */
const MERGE_EVERY = 8;
/** Steps of merging after a fill at most (100,000 turns take six of about 7 ms). */
const MAX_MERGE_STEPS = 100;

export interface RecallDeps {
  storage: DurableObjectStorage;
  store: Store;
  chats: Chats;
  index: RecallIndex;
  pg: SessionPg;
  /** Whether `hot` is still the object's hot state (not deleted or rewound meanwhile). */
  stillCurrent: (hot: Hot) => boolean;
  waitUntil: (p: Promise<unknown>) => void;
  settings: RecallSettings;
  /** Whether recall is on (RECALL_LIMIT above 0): with it off, no conversation's index is filled. */
  on: boolean;
  /** Resolves once no reply is being written in `chat`: background work waits for it, a turn never waits for background work. */
  quiet: (chat: string) => Promise<void>;
}

export function createRecall(deps: RecallDeps) {
  const { store, index, chats } = deps;
  const ref = (hot: Hot) => ({ ...hot.pair, chat: hot.chat });
  /** Conversations whose index is whole (mirrors the chats table, so a turn reads no row for it). */
  const whole = new Set<string>();
  const markWhole = (chat: string) => {
    chats.set(chat, { indexed: true });
    whole.add(chat);
  };

  function reindexLocal(chat: string): void {
    deps.storage.transactionSync(() => {
      index.removeChat(chat);
      index.track(chat);
      for (const m of store.allActive(chat)) index.add(m);
    });
  }

  /**
   * Fills the local index from PostgreSQL a page at a time, only while no
   * reply is being written: the pages share the object's one connection and
   * thread with the turns, and PostgreSQL answers recall meanwhile.
   */
  async function backfill(hot: Hot): Promise<void> {
    await new Promise((r) => setTimeout(r, START_DELAY_MS));
    await deps.quiet(hot.chat);
    if (!deps.stillCurrent(hot)) return;
    reindexLocal(hot.chat);
    let before = store.oldestId(hot.chat);
    const started = Date.now();
    let pages = 0;
    for (;;) {
      await deps.quiet(hot.chat);
      const page = await deps.pg.run((h) => olderActive(h.db, ref(hot), before, PAGE));
      if (page.length === 0) break;
      if (!deps.stillCurrent(hot)) return; // the next open starts again
      deps.storage.transactionSync(() => {
        for (const m of page) index.add(m);
      });
      before = page[0].id;
      pages++;
    }
    markWhole(hot.chat);
    // Each page left a b-tree of its own: merged into one, a step at a time between turns (bounded, as new turns add more).
    for (let n = -MERGE_PAGES, step = 0; step < MAX_MERGE_STEPS && index.tidy(n); n = MERGE_PAGES, step++) {
      await deps.quiet(hot.chat);
      if (!deps.stillCurrent(hot)) return;
    }
    logEvent("info", "recall_index_filled", { pages, ms: Date.now() - started });
  }

  /** PostgreSQL's index of the conversation, each call on the object's one connection. */
  function viaPg(hot: Hot): TermIndex {
    const on = <T>(fn: (pg: TermIndex) => Promise<T>) => deps.pg.run((h) => fn(recallIndexPg(h.sql, ref(hot))));
    return {
      stats: (terms) => on((pg) => pg.stats(terms)),
      postings: (terms, before, limit) => on((pg) => pg.postings(terms, before, limit)),
      turns: (keys, reach): Promise<IndexedTurn[]> => on((pg) => pg.turns(keys, reach)),
    };
  }

  /** Replies stored in each conversation since its index was last merged. */
  const replies = new Map<string, number>();

  /** Conversations being filled from PostgreSQL right now. */
  const filling = new Set<Hot>();

  /** Makes `hot`'s index whole: at once from the object's own turns, or in the background from PostgreSQL. */
  function start(hot: Hot): void {
    if (hot.cold === "none") {
      reindexLocal(hot.chat);
      markWhole(hot.chat);
      return;
    }
    if (filling.has(hot)) return;
    filling.add(hot);
    logEvent("info", "recall_index_filling");
    deps.waitUntil(
      backfill(hot)
        .catch((err: unknown) => {
          logEvent("warn", "recall_backfill_failed", { error: errorKind(err) });
        })
        .finally(() => filling.delete(hot)),
    );
  }

  return {
    /** The object's storage was emptied, or a conversation deleted. */
    forget(chat?: string): void {
      if (chat === undefined) {
        whole.clear();
        replies.clear();
      } else {
        whole.delete(chat);
        replies.delete(chat);
      }
    },
    /**
     * A conversation was loaded: one whose history already outgrows the
     * window starts filling its index now; a smaller one when recall first
     * needs it (until then it has no index at all); none while recall is off.
     */
    prepare(hot: Hot): void {
      if (chats.get(hot.chat)?.indexed) {
        whole.add(hot.chat);
        // A user message is indexed once its reply is written (store.indexLate): one whose turn died with the object is indexed now.
        try {
          for (const m of hot.window.slice(-2)) if (m.role === "user") store.indexLate(hot.chat, m.id);
        } catch (err) {
          logEvent("warn", "recall_index_failed", { error: errorKind(err) });
        }
      }
      if (deps.on && !whole.has(hot.chat) && hot.cold !== "unknown" && hot.beyond) start(hot);
    },
    /**
     * A reply was stored: every few replies, a step of merging the index's
     * b-trees once no reply is being written. Measured per turn in
     * `bench/profile.ts` (merging, and the FTS5 lookups it saves): a step a
     * reply 0.89 ms, every fourth reply 0.41–1.05 ms, every eighth 0.09–0.12
     * ms with lookups no slower.
     */
    afterReply(hot: Hot): void {
      if (!whole.has(hot.chat)) return;
      const n = (replies.get(hot.chat) ?? 0) + 1;
      replies.set(hot.chat, n % MERGE_EVERY);
      if (n < MERGE_EVERY) return;
      deps.waitUntil(
        deps
          .quiet(hot.chat)
          .then(() => void index.tidy(MERGE_PAGES))
          .catch((err: unknown) => logEvent("warn", "recall_merge_failed", { error: errorKind(err) })),
      );
    },
    /**
     * The retriever for `hot`: over the object's own index, or PostgreSQL's
     * while that one fills. The first turn that recalls starts the index.
     */
    retriever(hot: Hot): Retriever {
      return {
        recall(req) {
          if (!whole.has(hot.chat) && hot.cold !== "unknown") start(hot);
          const source: TermIndex = whole.has(hot.chat) ? index.forChat(hot.chat) : viaPg(hot);
          return lexicalRetriever(source, deps.settings.lexical).recall(req);
        },
      };
    },
  };
}

export type RecallSource = ReturnType<typeof createRecall>;

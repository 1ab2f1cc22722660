/**
 * Builds a session object's collaborators from its state and Env: the
 * configuration is parsed here once and passed down.
 */
import type { CharacterSnapshot } from "../context/system-prompt";
import type { Env } from "../env";
import type { Connect } from "../llm/sockets";
import type { Span } from "../shared/spans";
import { createCallTracing } from "./call-trace";
import { createCharacterCache } from "./character-cache";
import { createChats } from "./chats";
import { createCheckpoint } from "./checkpoint";
import { sessionConfig } from "./config";
import { createConversation } from "./conversation";
import { createHydration } from "./hydration";
import { createLive } from "./live";
import { createMemories } from "./memories";
import { createOutbox } from "./outbox";
import { createSessionPg } from "./pg";
import { createRecall } from "./recall";
import { createRecallIndex } from "./recall-index";
import { ensureSchema } from "./schema";
import { createStore, type Store } from "./store";
import { createTurnRunner } from "./turn-runner";
import type { Caller, Pair, Result } from "./types";
import type { Hot } from "./window";

export function createCollaborators(ctx: DurableObjectState, env: Env, connect?: Connect) {
  const config = sessionConfig(env, connect);
  ensureSchema(ctx.storage.sql);
  const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
  const index = createRecallIndex(ctx.storage.sql);
  const pg = createSessionPg(config.databaseUrl);
  const outbox = createOutbox(ctx, pg, () => owner(store));
  const store = createStore(ctx.storage, outbox, index);
  const memories = createMemories(ctx.storage, outbox);
  const chats = createChats(ctx.storage.sql, outbox);
  const characters = createCharacterCache(store, pg);
  const live = createLive(ctx);
  const conversation = createConversation({ store, memories, outbox, live, triggers: config.memoryTriggers });
  const checkpoint = createCheckpoint(ctx.storage.sql);
  conversation.recoverInterrupted(checkpoint);
  const hydration = createHydration({
    store,
    chats,
    pg,
    forget: () => clear(),
    busy: (chat) => runner.current(chat) !== null,
    loaded: (hot) => {
      recall.prepare(hot);
      conversation.continueAfter(hot.window.at(-1)?.createdAt ?? 0);
    },
  });
  const stillCurrent = (hot: Hot) => hydration.current(hot.chat) === hot;
  const recall = createRecall({
    storage: ctx.storage,
    store,
    chats,
    index,
    pg,
    stillCurrent,
    waitUntil,
    settings: config.recall,
    on: config.recallLimit > 0,
    quiet: async (chat) => {
      for (let t = runner.current(chat); t; t = runner.current(chat)) await t.done;
    },
  });
  const tracing = createCallTracing(config.tracing, waitUntil);
  const runner = createTurnRunner({ config, store, memories, conversation, recall, checkpoint, live, pg, waitUntil });
  /** Empties the object's storage (the conversation was deleted, or its owner is gone); it may live on in memory, so its tables start again. */
  async function clear(): Promise<void> {
    await ctx.storage.deleteAlarm();
    outbox.reset();
    hydration.invalidateAll();
    recall.forget();
    await ctx.storage.deleteAll();
    store.forgetMeta();
    ensureSchema(ctx.storage.sql);
    index.reset();
  }

  /**
   * The caller's conversation, hot, and the character, both checked against
   * the caller: the owner first, then the character, and only then anything
   * written (a conversation with someone else's private character never starts).
   */
  async function open(caller: Caller): Promise<Result<Ready>> {
    if (hydration.foreign(caller)) return { ok: false, code: "forbidden" };
    const character = await characters.get(caller);
    if ("ok" in character) return character;
    const hot = await hydration.open(caller);
    return "ok" in hot ? hot : { ok: true, hot, character };
  }

  return { config, pg, outbox, store, memories, chats, characters, conversation, recall, hydration, runner, live, tracing, clear, open };
}

/** The pair this object belongs to, once its owner is recorded. */
function owner(store: Store): Pair | null {
  const [userId, characterId] = ["owner", "character"].map((k) => store.getMeta(k));
  return userId && characterId ? { userId, characterId } : null;
}

export type Parts = ReturnType<typeof createCollaborators>;

/** A caller's conversation, hot, and the character, both checked against the caller. */
export interface Ready {
  hot: Hot;
  character: CharacterSnapshot;
  /** The call's span when it is traced (calls that may start a reply). */
  span?: Span;
}

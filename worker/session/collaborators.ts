/**
 * Builds a session object's collaborators from its state and Env: the
 * configuration is parsed here once and passed down.
 */
import type { Env } from "../env";
import { createCharacterCache } from "./character-cache";
import { createCheckpoint } from "./checkpoint";
import { sessionConfig } from "./config";
import { createConversation } from "./conversation";
import { createHydration } from "./hydration";
import { createMemories } from "./memories";
import { createOutbox, type OutboxTarget } from "./outbox";
import { createSessionPg } from "./pg";
import { createRecall } from "./recall";
import { createRecallIndex } from "./recall-index";
import { ensureSchema } from "./schema";
import { createStore, type Store } from "./store";
import { createTurnRunner } from "./turn-runner";

/** `forget`: the owner no longer exists; the object must empty its storage. */
export function createCollaborators(ctx: DurableObjectState, env: Env, forget: () => Promise<void>) {
  const config = sessionConfig(env);
  ensureSchema(ctx.storage.sql);
  const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
  const index = createRecallIndex(ctx.storage.sql);
  const pg = createSessionPg(config.databaseUrl);
  const outbox = createOutbox(ctx, pg, () => outboxTarget(store));
  const store = createStore(ctx.storage, outbox, index);
  const memories = createMemories(ctx.storage, outbox);
  const characters = createCharacterCache(store, pg);
  const conversation = createConversation({ store, memories, outbox, triggers: config.memoryTriggers });
  const checkpoint = createCheckpoint(ctx.storage.sql);
  conversation.recoverInterrupted(checkpoint);
  const hydration = createHydration({
    store,
    pg,
    forget,
    loaded: (hot) => {
      recall.prepare(hot);
      conversation.continueAfter(hot.window.at(-1)?.createdAt ?? 0);
    },
  });
  const recall = createRecall({ storage: ctx.storage, store, index, pg, stillCurrent: (hot) => hydration.current === hot, waitUntil });
  const runner = createTurnRunner({ config, store, memories, conversation, recall, checkpoint, waitUntil });
  return { config, pg, outbox, store, memories, characters, conversation, recall, hydration, runner };
}

/** Where the outbox copies to, once the object has an owner and a session row. */
function outboxTarget(store: Store): OutboxTarget | null {
  const [userId, characterId, sessionId] = ["owner", "character", "session_id"].map((k) => store.getMeta(k));
  return userId && characterId && sessionId ? { pair: { userId, characterId }, sessionId } : null;
}

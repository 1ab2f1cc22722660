/**
 * The session object's core: ownership, the hot window, durable appends,
 * and one turn at a time — the user message made durable in the object's
 * SQLite before the LLM is called, the reply streamed to any number of
 * subscribers and stored with its final status, the running summary
 * updated after it. Rows reach PostgreSQL through the outbox.
 */
import { DurableObject } from "cloudflare:workers";
import { parseShares } from "../context/shares";
import type { CharacterSnapshot } from "../context/system-prompt";
import { countTokens } from "../context/tokens";
import { findCharacterOrNull, toSnapshot } from "../db/characters";
import { createDb, type DbHandle } from "../db/client";
import { countVar, databaseUrl, type Env, intVar } from "../env";
import type { ErrorCode } from "../errors";
import { newId } from "../ids";
import { budgetOf, llmConfig } from "../llm/config";
import { parseTriggers, pinnedFact } from "../memory/triggers";
import type { Message, PromptLedger } from "../shared/wire";
import { assemblePrompt, type Recall } from "./assemble";
import { olderActive, recall as recallFromPostgres } from "./cold";
import { newMemory, withAlternatives } from "./controls";
import { type Hot, loadHot, pushWindow, toWire } from "./hot";
import { createMemoryStore, type MemoryStore } from "./memory-store";
import { streamReply } from "./reply";
import { createStore, type Store, type StoredMessage } from "./store";
import { summarise, turnsToFold } from "./summarise";
import { createTurn, sseFrame, type Turn } from "./turn";

export type Fail = { ok: false; code: ErrorCode; retryAfter?: number };
export type SendResult = Fail | { ok: true; stream: ReadableStream<Uint8Array> } | { ok: true; userMessage: Message; reply: Message };
export interface Caller {
  userId: string;
  characterId: string;
}
export interface SendInput extends Caller {
  content: string;
  clientMessageId?: string;
  stream: boolean;
}

const USER_FLUSH_DELAY_MS = 2_000;
const REPLY_FLUSH_DELAY_MS = 250;
/** A safety net only: edits and visibility changes are pushed by the routes. */
const CHARACTER_MAX_AGE_MS = 10 * 60_000;
const INDEX_PAGE = 2_000;

export abstract class SessionCore extends DurableObject<Env> {
  protected store: Store;
  protected mem: MemoryStore;
  protected hot: Hot | null = null;
  protected character: CharacterSnapshot | null = null;
  private characterAt = 0;
  protected turn: Turn | null = null;
  protected lastTurn: Turn | null = null;
  protected summarising = false;
  protected pg: DbHandle | null = null;
  protected lastMs = 0;
  private calib: number | undefined;
  /** Whether the recall index holds the whole active history. */
  protected indexed = false;
  /** When the outbox alarm is set to fire (null: not set, as far as this instance knows). */
  protected alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = createStore(ctx.storage);
    this.mem = createMemoryStore(ctx.storage);
  }

  /** PostgreSQL: drizzle for most, the raw client for recall while the local index refills. */
  protected db() {
    return this.postgres().db;
  }

  private postgres(): DbHandle {
    // Two connections: the outbox copy never queues a turn's recall query behind it.
    return (this.pg ??= createDb(databaseUrl(this.env), { max: 2 }));
  }

  /** Ids strictly increasing in time, so id order is conversation order. */
  protected nextId(): { id: string; at: number } {
    const at = Math.max(Date.now(), this.lastMs + 1);
    this.lastMs = at;
    return { id: newId(at), at };
  }

  /** The hot state, after checking that the caller owns this object. */
  protected async open(caller: Caller): Promise<Hot | Fail> {
    // A hot object has checked its owner already: no storage read per call.
    if (this.hot)
      return this.hot.pair.userId === caller.userId && this.hot.pair.characterId === caller.characterId
        ? this.hot
        : { ok: false, code: "forbidden" };
    const owner = this.store.getMeta("owner");
    if (owner === null) {
      this.store.setMeta("owner", caller.userId);
      this.store.setMeta("character", caller.characterId);
    } else if (owner !== caller.userId || this.store.getMeta("character") !== caller.characterId) {
      return { ok: false, code: "forbidden" };
    }
    const hot = await loadHot(this.store, { userId: caller.userId, characterId: caller.characterId }, () => this.db());
    if (hot === "gone") {
      await this.clearStorage();
      return { ok: false, code: "unauthorized" };
    }
    this.hot = hot;
    this.prepareIndex(hot);
    return hot;
  }

  /** Empties this object's storage; it may live on in memory, so its tables start again. */
  protected async clearStorage(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    this.alarmAt = null;
    await this.ctx.storage.deleteAll();
    this.store = createStore(this.ctx.storage);
    this.mem = createMemoryStore(this.ctx.storage);
    this.indexed = false;
  }

  /** The hot state and the character for a turn, both checked against the caller. */
  protected async forTurn(caller: Caller): Promise<{ hot: Hot; character: CharacterSnapshot } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    const character = await this.characterFor(caller);
    return "ok" in character ? character : { hot, character };
  }

  /**
   * Makes the recall index whole: at once from this object's own messages,
   * or in the background from PostgreSQL when older history lives there
   * (recall asks PostgreSQL until then).
   */
  private prepareIndex(hot: Hot): void {
    this.indexed = this.store.getMeta("recall_index") === "complete";
    if (this.indexed || hot.cold === "unknown") return;
    if (hot.cold === "none") {
      this.store.reindexLocal();
      this.markIndexed();
      return;
    }
    this.ctx.waitUntil(
      this.backfillIndex(hot).catch((err: unknown) => {
        console.warn(JSON.stringify({ level: "warn", event: "recall_backfill_failed", error: String(err) }));
      }),
    );
  }

  private async backfillIndex(hot: Hot): Promise<void> {
    this.store.reindexLocal();
    let before = this.store.oldestId();
    for (;;) {
      const page = await olderActive(this.db(), hot.pair, before, INDEX_PAGE);
      if (page.length === 0) break;
      if (this.hot !== hot) return; // deleted or rewound meanwhile: the next open starts again
      this.store.indexMany(page);
      before = page[0].id;
    }
    this.markIndexed();
  }

  private markIndexed(): void {
    this.store.setMeta("recall_index", "complete");
    this.indexed = true;
  }

  /** Recall from the object's own index once it is whole, else from PostgreSQL. */
  protected recall(hot: Hot): Recall {
    if (this.indexed) return async (terms, beforeId, limit) => this.store.index.search(terms, beforeId, limit);
    return (terms, beforeId, limit) => recallFromPostgres(this.postgres().sql, hot.pair, terms, beforeId, limit);
  }

  /**
   * The character, checked as readable by the caller. Kept in memory (and
   * storage, for outages): the routes push a refresh when it changes, so a
   * hot turn reads neither PostgreSQL nor Redis for it.
   */
  protected async characterFor(caller: Caller): Promise<CharacterSnapshot | Fail> {
    let snap = this.character ?? this.savedCharacter();
    if (!snap || Date.now() - this.characterAt > CHARACTER_MAX_AGE_MS) {
      const row = await findCharacterOrNull(this.db(), caller.characterId).catch(() => undefined);
      if (row === undefined && !snap) return { ok: false, code: "database_unavailable" };
      if (row === undefined) {
        snap = snap!;
      } else if (row === null) {
        return { ok: false, code: "character_not_found" };
      } else {
        snap = toSnapshot(row);
        this.characterAt = Date.now();
        this.store.setMeta("character_snapshot", JSON.stringify(snap));
      }
    }
    this.character = snap;
    return snap.visibility === "public" || snap.creatorId === caller.userId ? snap : { ok: false, code: "character_not_found" };
  }

  private savedCharacter(): CharacterSnapshot | null {
    const raw = this.store.getMeta("character_snapshot");
    return raw ? (JSON.parse(raw) as CharacterSnapshot) : null;
  }

  /** The character changed: read it again on the next turn. */
  async refreshCharacter(): Promise<void> {
    this.characterAt = 0;
  }

  protected append(hot: Hot, m: Omit<StoredMessage, "id" | "createdAt" | "tokens" | "active">): StoredMessage {
    const { id, at } = this.nextId();
    const message: StoredMessage = { ...m, id, createdAt: at, tokens: countTokens(m.content), active: true };
    this.store.insertMessage(message);
    pushWindow(hot, message);
    // Copy to PostgreSQL shortly after the reply is stored (batching a quick
    // exchange), off the turn's critical path; a user message alone waits a little longer.
    this.flushBy(Date.now() + (m.role === "assistant" && m.parentId ? REPLY_FLUSH_DELAY_MS : USER_FLUSH_DELAY_MS));
    return message;
  }

  /** Arms the outbox alarm for `at` unless it already fires sooner (a busy session must not push it away forever). */
  protected flushBy(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  /** A user message: durable, and pinned as a memory when it asks to be remembered. */
  protected appendUser(hot: Hot, content: string, clientId: string | null): StoredMessage {
    const message = this.append(hot, { role: "user", content, status: "complete", clientId, parentId: null });
    const fact = pinnedFact(content, parseTriggers(this.env.MEMORY_TRIGGERS));
    if (fact) this.mem.saveMemory(newMemory(this.nextId().id, fact, message.id));
    return message;
  }

  /** A retried send: the first result, or a fresh reply when the first one failed outright. */
  protected async replay(hot: Hot, userMessage: StoredMessage, stream: boolean): Promise<SendResult> {
    if (this.turn?.userMessageId === userMessage.id) return this.follow(this.turn, stream);
    const reply = this.store
      .repliesTo(userMessage.id)
      .filter((r) => r.active)
      .at(-1);
    if (!reply || reply.status === "error") {
      if (this.turn) return { ok: false, code: "turn_in_progress" };
      return this.answer(hot, userMessage, stream, true);
    }
    if (!stream) return { ok: true, userMessage: toWire(userMessage), reply: toWire(reply) };
    const frames =
      sseFrame(`${reply.id}.0`, "message", { message: toWire(userMessage) }) +
      sseFrame(`${reply.id}.1`, "done", { message: toWire(reply) });
    return { ok: true, stream: new Blob([frames]).stream() };
  }

  /** Starts a reply to `userMessage` and answers once the first token (or the failure) is known. */
  protected async answer(hot: Hot, userMessage: StoredMessage, stream: boolean, announce: boolean): Promise<SendResult> {
    const turn = createTurn(this.nextId().id, userMessage.id);
    this.turn = turn;
    if (announce) turn.emit("message", { message: toWire(userMessage) });
    this.ctx.waitUntil(this.generate(hot, turn, userMessage));
    return this.follow(turn, stream);
  }

  protected async follow(turn: Turn, stream: boolean): Promise<SendResult> {
    await (stream ? turn.started : turn.done);
    const outcome = turn.outcome;
    if (outcome && !turn.sawToken && outcome.status === "error") return { ok: false, code: outcome.code, retryAfter: outcome.retryAfter };
    if (stream) return { ok: true, stream: turn.subscribe(-1) };
    if (!outcome?.reply || outcome.status !== "complete") return { ok: false, code: outcome?.code ?? "upstream_error" };
    const user = this.store.byId(turn.userMessageId);
    return user ? { ok: true, userMessage: toWire(user), reply: outcome.reply } : { ok: false, code: "internal" };
  }

  /** Correction of our token count for the upstream's tokenizer (≥ 1: it only ever shrinks the budget). */
  protected calibration(): number {
    return (this.calib ??= Number(this.store.getMeta("calibration") ?? "1"));
  }

  protected async generate(hot: Hot, turn: Turn, userMessage: StoredMessage): Promise<void> {
    const character = this.character!;
    const budget = budgetOf(this.env);
    const promptBudget = Math.floor(budget.prompt / this.calibration());
    const shares = parseShares(this.env.LLM_BUDGET_SHARES);
    const parts = { memories: this.mem.memories(), summary: this.mem.summary(), shares, recallLimit: countVar(this.env.RECALL_LIMIT, 4) };
    const prompt = await assemblePrompt(hot, character, userMessage, promptBudget, parts, this.recall(hot));
    const cfg = llmConfig(this.env, { sessionId: hot.sessionId, userId: hot.pair.userId }, character.model);
    const result = await streamReply(cfg, prompt, turn, budget.reply, character.id);
    if (this.turn !== turn) return; // the conversation was deleted meanwhile
    let reply: Message | undefined;
    if (result.content || result.status === "complete") {
      const stored = this.append(hot, {
        role: "assistant",
        content: result.content,
        status: result.status,
        clientId: null,
        parentId: userMessage.id,
      });
      this.store.saveLedger(stored.id, JSON.stringify(prompt.ledger));
      // With the other versions, so a client shown this reply can still swipe.
      reply = withAlternatives(this.store, [stored])[0];
    }
    if (result.usage?.promptTokens && prompt.tokens > 0) {
      const ratio = result.usage.promptTokens / prompt.tokens;
      this.calib = Math.min(3, Math.max(1, 0.7 * this.calibration() + 0.3 * ratio));
      this.store.setMeta("calibration", String(this.calib));
    }
    const code = (result.errorCode ?? "upstream_error") as ErrorCode;
    turn.outcome = { status: result.status, reply, code, retryAfter: result.retryAfter };
    this.turn = null;
    this.lastTurn = turn;
    if (result.status === "complete" || result.status === "cancelled") turn.emit("done", { message: reply });
    else turn.emit("error", { code, message: code, partial: reply });
    this.maybeSummarise(hot, prompt.ledger, promptBudget);
  }

  /** Folds dropped turns into the running summary once they pass the threshold; after the reply, never before it. */
  protected maybeSummarise(hot: Hot, ledger: PromptLedger, promptBudget: number): void {
    const previous = this.mem.summary();
    const dropped = new Set(ledger.excluded.filter((e) => e.reason === "over_budget").map((e) => e.id));
    const pending = turnsToFold(hot.window, dropped, previous, promptBudget);
    const threshold = intVar(this.env.SUMMARY_TRIGGER_TOKENS, Math.floor(promptBudget / 4));
    if (this.summarising || pending.reduce((n, m) => n + m.tokens, 0) < threshold) return;
    this.summarising = true;
    const shares = parseShares(this.env.LLM_BUDGET_SHARES);
    const cfg = llmConfig(this.env, { sessionId: hot.sessionId, userId: hot.pair.userId }, this.character?.model);
    const names = { user: hot.profile.displayName || "User", character: this.character?.name ?? "Character" };
    this.ctx.waitUntil(
      summarise(cfg, previous, pending, names, Math.max(32, Math.floor(promptBudget * shares.summary)))
        .then((next) => {
          if (next) this.mem.addSummary(next);
        })
        .finally(() => {
          this.summarising = false;
        }),
    );
  }
}

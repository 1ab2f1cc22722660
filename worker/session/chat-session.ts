/**
 * ChatSession: the Durable Object for one (user, character) conversation.
 * It owns the hot context window, makes each message durable in its own
 * SQLite before calling the LLM, runs one turn at a time, streams replies
 * to any number of subscribers, and copies rows to PostgreSQL through its
 * outbox. Expected failures are returned as `{ ok: false, code }` (RPC
 * keeps nothing of an error but its message).
 */
import { DurableObject } from "cloudflare:workers";
import { parseShares } from "../context/shares";
import type { CharacterSnapshot } from "../context/system-prompt";
import { countTokens } from "../context/tokens";
import { createDb, type DbHandle } from "../db/client";
import { countVar, databaseUrl, intVar, type Env } from "../env";
import type { ErrorCode } from "../errors";
import { newId } from "../ids";
import { budgetOf, llmConfig } from "../llm/config";
import { parseTriggers, pinnedFact } from "../memory/triggers";
import type { Memory, Message, PromptLedger } from "../shared/wire";
import { assemblePrompt } from "./assemble";
import { applyOps, olderActive } from "./cold";
import { chooseReply, newMemory, rewindTo, withAlternatives } from "./controls";
import { loadHot, toWire, trimWindow, type Hot } from "./hot";
import { createMemoryStore, memoryToWire, type MemoryStore } from "./memory-store";
import { streamReply } from "./reply";
import { createStore, type Store, type StoredMessage } from "./store";
import { summarise, turnsToFold } from "./summarise";
import { createTurn, frameIndex, sseFrame, type Turn } from "./turn";

export type Fail = { ok: false; code: ErrorCode; retryAfter?: number };
export type SendResult = Fail | { ok: true; stream: ReadableStream<Uint8Array> } | { ok: true; userMessage: Message; reply: Message };
export interface Caller { userId: string; characterId: string }
export interface SendInput { userId: string; character: CharacterSnapshot; content: string; clientMessageId?: string; stream: boolean }

const OUTBOX_BATCH = 200;
/** A foreign-key violation: the rows' owner was deleted. */
const isGone = (err: unknown) => (err as { code?: string; cause?: { code?: string } }).code === "23503" || (err as { cause?: { code?: string } }).cause?.code === "23503";

export class ChatSession extends DurableObject<Env> {
  private store: Store;
  private mem: MemoryStore;
  private hot: Hot | null = null;
  private character: CharacterSnapshot | null = null;
  private turn: Turn | null = null;
  private lastTurn: Turn | null = null;
  private summarising = false;
  private pg: DbHandle | null = null;
  private lastMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = createStore(ctx.storage);
    this.mem = createMemoryStore(ctx.storage);
  }

  private db() {
    return (this.pg ??= createDb(databaseUrl(this.env))).db;
  }

  /** Ids strictly increasing in time, so id order is conversation order. */
  private nextId(): { id: string; at: number } {
    const at = Math.max(Date.now(), this.lastMs + 1);
    this.lastMs = at;
    return { id: newId(at), at };
  }

  /** The hot state, after checking that the caller owns this object. */
  private async open(caller: Caller): Promise<Hot | Fail> {
    const owner = this.store.getMeta("owner");
    if (owner === null) {
      this.store.setMeta("owner", caller.userId);
      this.store.setMeta("character", caller.characterId);
    } else if (owner !== caller.userId || this.store.getMeta("character") !== caller.characterId) {
      return { ok: false, code: "forbidden" };
    }
    if (this.hot) return this.hot;
    const hot = await loadHot(this.store, caller, () => this.db());
    if (hot === "gone") {
      await this.ctx.storage.deleteAll();
      this.store = createStore(this.ctx.storage);
      this.mem = createMemoryStore(this.ctx.storage);
      return { ok: false, code: "unauthorized" };
    }
    return (this.hot = hot);
  }

  private append(hot: Hot, m: Omit<StoredMessage, "id" | "createdAt" | "tokens" | "active">): StoredMessage {
    const { id, at } = this.nextId();
    const message: StoredMessage = { ...m, id, createdAt: at, tokens: countTokens(m.content), active: true };
    this.store.insertMessage(message);
    hot.window.push(message);
    trimWindow(hot);
    void this.ctx.storage.setAlarm(Date.now());
    return message;
  }

  /** A user message: durable, and pinned as a memory when it asks to be remembered. */
  private appendUser(hot: Hot, content: string, clientId: string | null): StoredMessage {
    const message = this.append(hot, { role: "user", content, status: "complete", clientId, parentId: null });
    const fact = pinnedFact(content, parseTriggers(this.env.MEMORY_TRIGGERS));
    if (fact) this.mem.saveMemory(newMemory(this.nextId().id, fact, message.id));
    return message;
  }

  async send(input: SendInput): Promise<SendResult> {
    const hot = await this.open({ userId: input.userId, characterId: input.character.id });
    if ("ok" in hot) return hot;
    this.character = input.character;
    if (input.clientMessageId) {
      const earlier = this.store.byClientId(input.clientMessageId);
      if (earlier) return this.replay(hot, earlier, input.stream);
    }
    if (this.turn) return { ok: false, code: "turn_in_progress" };
    if (hot.window.length === 0 && hot.cold !== "some" && input.character.greeting) {
      this.append(hot, { role: "assistant", content: input.character.greeting, status: "complete", clientId: null, parentId: null });
    }
    return this.answer(hot, this.appendUser(hot, input.content, input.clientMessageId ?? null), input.stream, true);
  }

  /** A retried send: the first result, or a fresh reply when the first one failed outright. */
  private async replay(hot: Hot, userMessage: StoredMessage, stream: boolean): Promise<SendResult> {
    if (this.turn?.userMessageId === userMessage.id) return this.follow(this.turn, stream);
    const reply = this.store.repliesTo(userMessage.id).filter((r) => r.active).at(-1);
    if (!reply || reply.status === "error") {
      if (this.turn) return { ok: false, code: "turn_in_progress" };
      return this.answer(hot, userMessage, stream, true);
    }
    if (!stream) return { ok: true, userMessage: toWire(userMessage), reply: toWire(reply) };
    const frames = sseFrame(`${reply.id}.0`, "message", { message: toWire(userMessage) }) + sseFrame(`${reply.id}.1`, "done", { message: toWire(reply) });
    return { ok: true, stream: new Blob([frames]).stream() };
  }

  /** Starts a reply to `userMessage` and answers once the first token (or the failure) is known. */
  private async answer(hot: Hot, userMessage: StoredMessage, stream: boolean, announce: boolean): Promise<SendResult> {
    const turn = createTurn(this.nextId().id, userMessage.id);
    this.turn = turn;
    if (announce) turn.emit("message", { message: toWire(userMessage) });
    this.ctx.waitUntil(this.generate(hot, turn, userMessage));
    return this.follow(turn, stream);
  }

  private async follow(turn: Turn, stream: boolean): Promise<SendResult> {
    await (stream ? turn.started : turn.done);
    const outcome = turn.outcome;
    if (outcome && !turn.sawToken && outcome.status === "error") return { ok: false, code: outcome.code, retryAfter: outcome.retryAfter };
    if (stream) return { ok: true, stream: turn.subscribe(-1) };
    if (!outcome?.reply || outcome.status !== "complete") return { ok: false, code: outcome?.code ?? "upstream_error" };
    const user = this.store.byId(turn.userMessageId);
    return user ? { ok: true, userMessage: toWire(user), reply: outcome.reply } : { ok: false, code: "internal" };
  }

  /** Correction of our token count for the upstream's tokenizer (≥ 1: it only ever shrinks the budget). */
  private calibration(): number {
    return Number(this.store.getMeta("calibration") ?? "1");
  }

  private async generate(hot: Hot, turn: Turn, userMessage: StoredMessage): Promise<void> {
    const character = this.character!;
    const budget = budgetOf(this.env);
    const promptBudget = Math.floor(budget.prompt / this.calibration());
    const shares = parseShares(this.env.LLM_BUDGET_SHARES);
    const parts = { memories: this.mem.memories(), summary: this.mem.summary(), shares, recallLimit: countVar(this.env.RECALL_LIMIT, 4) };
    const prompt = await assemblePrompt(hot, character, userMessage, promptBudget, parts, () => this.db());
    const cfg = llmConfig(this.env, { sessionId: hot.sessionId, userId: hot.pair.userId }, character.model);
    const result = await streamReply(cfg, prompt, turn, budget.reply, character.id);
    if (this.turn !== turn) return; // the conversation was deleted meanwhile
    let reply: Message | undefined;
    if (result.content || result.status === "complete") {
      const stored = this.append(hot, { role: "assistant", content: result.content, status: result.status, clientId: null, parentId: userMessage.id });
      this.store.saveLedger(stored.id, JSON.stringify(prompt.ledger));
      reply = toWire(stored);
    }
    if (result.usage?.promptTokens && prompt.tokens > 0) {
      const ratio = result.usage.promptTokens / prompt.tokens;
      this.store.setMeta("calibration", String(Math.min(3, Math.max(1, 0.7 * this.calibration() + 0.3 * ratio))));
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
  private maybeSummarise(hot: Hot, ledger: PromptLedger, promptBudget: number): void {
    const previous = this.mem.summary();
    const dropped = new Set(ledger.excluded.filter((e) => e.reason === "over_budget").map((e) => e.id));
    const pending = turnsToFold(hot.window, dropped, previous, promptBudget);
    const threshold = intVar(this.env.SUMMARY_TRIGGER_TOKENS, Math.floor(promptBudget / 4));
    if (this.summarising || pending.reduce((n, m) => n + m.tokens, 0) < threshold) return;
    this.summarising = true;
    const shares = parseShares(this.env.LLM_BUDGET_SHARES);
    const cfg = llmConfig(this.env, { sessionId: hot.sessionId, userId: hot.pair.userId }, this.character?.model);
    const names = { user: hot.profile.displayName || "User", character: this.character?.name ?? "Character" };
    this.ctx.waitUntil(summarise(cfg, previous, pending, names, Math.max(32, Math.floor(promptBudget * shares.summary)))
      .then((next) => { if (next) this.mem.addSummary(next); })
      .finally(() => { this.summarising = false; }));
  }

  async cancel(caller: Caller): Promise<{ ok: true; cancelled: boolean } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    if (!this.turn) return { ok: true, cancelled: false };
    this.turn.abort.abort();
    return { ok: true, cancelled: true };
  }

  /** Resume: what the caller missed of the current or just-finished reply, then live. */
  async resume(caller: Caller, lastEventId?: string): Promise<{ ok: true; stream: ReadableStream<Uint8Array> | null } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    const turn = this.turn ?? this.lastTurn;
    if (turn) {
      const after = frameIndex(lastEventId, turn.id);
      if (this.turn || after !== null) return { ok: true, stream: turn.subscribe(after ?? -1) };
    }
    const last = hot.window.at(-1);
    if (!last) return { ok: true, stream: null };
    return { ok: true, stream: new Blob([sseFrame(`${last.id}.0`, "done", { message: toWire(last) })]).stream() };
  }

  /** A page of history, newest last; older pages come from PostgreSQL when this object does not hold them. */
  async history(caller: Caller, before: string | undefined, limit: number): Promise<{ ok: true; messages: Message[]; nextBefore: string | null } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    let rows = this.store.recentActive(limit + 1, before);
    if (rows.length < limit + 1 && hot.cold !== "none") {
      const oldestLocal = this.store.oldestId();
      const floor = before && oldestLocal ? (before < oldestLocal ? before : oldestLocal) : (before ?? oldestLocal);
      rows = [...(await olderActive(this.db(), hot.pair, floor, limit + 1 - rows.length)), ...rows];
    }
    const more = rows.length > limit;
    const page = more ? rows.slice(1) : rows;
    return { ok: true, messages: withAlternatives(this.store, page), nextBefore: more ? page[0].id : null };
  }

  async ledger(caller: Caller, messageId: string): Promise<{ ok: true; ledger: PromptLedger } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    const body = this.store.ledger(messageId);
    return body ? { ok: true, ledger: JSON.parse(body) as PromptLedger } : { ok: false, code: "message_not_found" };
  }

  /** A new version of the last reply; the earlier ones stay as alternatives. */
  async regenerate(input: Omit<SendInput, "content" | "clientMessageId">): Promise<SendResult> {
    const hot = await this.open({ userId: input.userId, characterId: input.character.id });
    if ("ok" in hot) return hot;
    this.character = input.character;
    if (this.turn) return { ok: false, code: "turn_in_progress" };
    const last = hot.window.at(-1);
    const parentId = last?.role === "assistant" ? last.parentId : last?.id;
    const parent = parentId ? hot.window.find((m) => m.id === parentId) : undefined;
    if (!parent) return { ok: false, code: "conflict" };
    if (last && last.role === "assistant") {
      this.store.updateMessage({ ...last, active: false });
      hot.window.pop();
    }
    return this.answer(hot, parent, input.stream, false);
  }

  /** Replaces a user message: it and what followed leave the history, and a fresh reply is written. */
  async edit(input: SendInput & { messageId: string }): Promise<SendResult> {
    const hot = await this.open({ userId: input.userId, characterId: input.character.id });
    if ("ok" in hot) return hot;
    this.character = input.character;
    if (this.turn) return { ok: false, code: "turn_in_progress" };
    const target = this.store.byId(input.messageId);
    if (!target || !target.active || target.role !== "user") return { ok: false, code: "message_not_found" };
    rewindTo(this.store, this.mem, target.id, true);
    this.hot = null;
    const fresh = await this.open({ userId: input.userId, characterId: input.character.id });
    if ("ok" in fresh) return fresh;
    return this.answer(fresh, this.appendUser(fresh, input.content, null), input.stream, true);
  }

  /** Everything after `messageId` leaves the active history, with the memories and summaries made from it. */
  async rewind(caller: Caller, messageId: string): Promise<{ ok: true; messages: Message[] } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    if (this.turn) return { ok: false, code: "turn_in_progress" };
    const target = this.store.byId(messageId);
    if (!target || !target.active) return { ok: false, code: "message_not_found" };
    rewindTo(this.store, this.mem, target.id, false);
    this.hot = null;
    const page = await this.history(caller, undefined, 50);
    return page.ok ? { ok: true, messages: page.messages } : page;
  }

  /** Swipe: makes another version of the last reply the one that counts. */
  async choose(caller: Caller, messageId: string): Promise<{ ok: true; message: Message } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    if (this.turn) return { ok: false, code: "turn_in_progress" };
    const chosen = chooseReply(this.store, messageId, hot.window.at(-1));
    if ("ok" in chosen) return chosen;
    this.hot = null;
    return { ok: true, message: withAlternatives(this.store, [chosen])[0] };
  }

  async memories(caller: Caller): Promise<{ ok: true; memories: Memory[] } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    return { ok: true, memories: this.mem.memories().map(memoryToWire) };
  }

  /** Pins a memory: given text, or the content of one of this conversation's messages. */
  async pin(caller: Caller, input: { content?: string; messageId?: string }): Promise<{ ok: true; memory: Memory } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    const source = input.messageId ? this.store.byId(input.messageId) : null;
    if (input.messageId && !source) return { ok: false, code: "message_not_found" };
    const content = (source?.content ?? input.content ?? "").trim().slice(0, 2000);
    if (!content) return { ok: false, code: "invalid_input" };
    const memory = newMemory(this.nextId().id, content, source?.id ?? null);
    this.mem.saveMemory(memory);
    void this.ctx.storage.setAlarm(Date.now());
    return { ok: true, memory: memoryToWire(memory) };
  }

  async updateMemory(caller: Caller, id: string, content: string): Promise<{ ok: true; memory: Memory } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    const memory = this.mem.memory(id);
    if (!memory) return { ok: false, code: "memory_not_found" };
    const next = { ...memory, content, tokens: countTokens(content), updatedAt: Date.now() };
    this.mem.saveMemory(next);
    void this.ctx.storage.setAlarm(Date.now());
    return { ok: true, memory: memoryToWire(next) };
  }

  async forget(caller: Caller, id: string): Promise<{ ok: true } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    if (!this.mem.memory(id)) return { ok: false, code: "memory_not_found" };
    this.mem.deleteMemories([id]);
    void this.ctx.storage.setAlarm(Date.now());
    return { ok: true };
  }

  /** The user's profile changed: the next prompt uses it. */
  async setProfile(caller: Caller, profile: { displayName: string; persona: string }): Promise<void> {
    const hot = await this.open(caller);
    if ("ok" in hot) return;
    hot.profile = profile;
    this.store.setMeta("profile", JSON.stringify(profile));
  }

  /** Deletes the conversation from this object: storage, outbox, alarm. */
  async destroy(): Promise<void> {
    this.turn?.abort.abort();
    this.turn = this.lastTurn = this.hot = this.character = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // The object may live on in memory: start again from empty tables.
    this.store = createStore(this.ctx.storage);
    this.mem = createMemoryStore(this.ctx.storage);
    await this.pg?.close().catch(() => {});
    this.pg = null;
  }

  /** Drains the outbox to PostgreSQL; on failure retries with backoff, re-arming itself. */
  async alarm(): Promise<void> {
    const batch = this.store.outbox(OUTBOX_BATCH);
    const userId = this.store.getMeta("owner");
    const characterId = this.store.getMeta("character");
    const sessionId = this.store.getMeta("session_id");
    if (batch.length === 0 || !userId || !characterId || !sessionId) return;
    try {
      await applyOps(this.db(), { userId, characterId }, sessionId, batch.map((b) => b.op));
      this.store.ackOutbox(batch[batch.length - 1].seq);
      this.store.setMeta("outbox_failures", "0");
      if (this.store.outboxSize() > 0) await this.ctx.storage.setAlarm(Date.now());
    } catch (err) {
      if (isGone(err)) {
        // The user or the character no longer exists in PostgreSQL: nothing left to copy to.
        this.store.ackOutbox(batch[batch.length - 1].seq);
        return;
      }
      const failures = Number(this.store.getMeta("outbox_failures") ?? "0") + 1;
      this.store.setMeta("outbox_failures", String(failures));
      const delay = Math.min(10_000, 250 * 2 ** Math.min(failures, 10));
      console.warn(JSON.stringify({ level: "warn", event: "outbox_retry", failures, delayMs: delay, error: String(err) }));
      await this.pg?.close().catch(() => {});
      this.pg = null;
      await this.ctx.storage.setAlarm(Date.now() + delay);
    }
  }
}

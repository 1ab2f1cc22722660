/**
 * ChatSession: the Durable Object for one (user, character) conversation.
 * It owns the hot context window, makes each message durable in its own
 * SQLite before calling the LLM, runs one turn at a time, streams replies
 * to any number of subscribers, and copies rows to PostgreSQL through its
 * outbox. Expected failures are returned as `{ ok: false, code }` (RPC
 * keeps nothing of an error but its message).
 */
import { DurableObject } from "cloudflare:workers";
import type { CharacterSnapshot } from "../context/system-prompt";
import { countTokens } from "../context/tokens";
import { createDb, type DbHandle } from "../db/client";
import { databaseUrl, type Env } from "../env";
import type { ErrorCode } from "../errors";
import { newId } from "../ids";
import { budgetOf, llmConfig } from "../llm/config";
import type { Message, PromptLedger } from "../shared/wire";
import { applyOps, olderActive } from "./cold";
import { loadHot, toWire, trimWindow, type Hot } from "./hot";
import { promptFor, streamReply } from "./reply";
import { createStore, type Store, type StoredMessage } from "./store";
import { createTurn, frameIndex, sseFrame, type Turn } from "./turn";

export type Fail = { ok: false; code: ErrorCode; retryAfter?: number };
export type SendResult = Fail | { ok: true; stream: ReadableStream<Uint8Array> } | { ok: true; userMessage: Message; reply: Message };
export interface SendInput { userId: string; character: CharacterSnapshot; content: string; clientMessageId?: string; stream: boolean }

const OUTBOX_BATCH = 200;

export class ChatSession extends DurableObject<Env> {
  private readonly store: Store;
  private hot: Hot | null = null;
  private character: CharacterSnapshot | null = null;
  private turn: Turn | null = null;
  private lastTurn: Turn | null = null;
  private pg: DbHandle | null = null;
  private lastMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = createStore(ctx.storage);
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

  /** The hot state, after checking that `userId` owns this object. */
  private async open(userId: string, characterId: string): Promise<Hot | Fail> {
    const owner = this.store.getMeta("owner");
    if (owner === null) {
      this.store.setMeta("owner", userId);
      this.store.setMeta("character", characterId);
    } else if (owner !== userId || this.store.getMeta("character") !== characterId) {
      return { ok: false, code: "forbidden" };
    }
    return (this.hot ??= await loadHot(this.store, { userId, characterId }, () => this.db()));
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

  async send(input: SendInput): Promise<SendResult> {
    const hot = await this.open(input.userId, input.character.id);
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
    const userMessage = this.append(hot, { role: "user", content: input.content, status: "complete", clientId: input.clientMessageId ?? null, parentId: null });
    return this.answer(hot, userMessage, input.stream, true);
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

  private async generate(hot: Hot, turn: Turn, userMessage: StoredMessage): Promise<void> {
    const character = this.character!;
    const budget = budgetOf(this.env);
    const prompt = promptFor(hot, character, userMessage, budget.prompt);
    const cfg = llmConfig(this.env, { sessionId: hot.sessionId, userId: hot.pair.userId }, character.model);
    const result = await streamReply(cfg, prompt, turn, budget.reply, character.id);
    let reply: Message | undefined;
    if (result.content || result.status === "complete") {
      const stored = this.append(hot, { role: "assistant", content: result.content, status: result.status, clientId: null, parentId: userMessage.id });
      this.store.saveLedger(stored.id, JSON.stringify(prompt.ledger));
      reply = toWire(stored);
    }
    const code = (result.errorCode ?? (result.status === "complete" ? undefined : "upstream_error")) as ErrorCode | undefined;
    turn.outcome = { status: result.status, reply, code: code ?? "upstream_error", retryAfter: result.retryAfter };
    this.turn = null;
    this.lastTurn = turn;
    if (result.status === "complete" || result.status === "cancelled") turn.emit("done", { message: reply });
    else turn.emit("error", { code, message: code, partial: reply });
  }

  async cancel(userId: string, characterId: string): Promise<{ ok: true; cancelled: boolean } | Fail> {
    const hot = await this.open(userId, characterId);
    if ("ok" in hot) return hot;
    if (!this.turn) return { ok: true, cancelled: false };
    this.turn.abort.abort();
    return { ok: true, cancelled: true };
  }

  /** Resume: what the caller missed of the current or just-finished reply, then live. */
  async resume(userId: string, characterId: string, lastEventId?: string): Promise<{ ok: true; stream: ReadableStream<Uint8Array> | null } | Fail> {
    const hot = await this.open(userId, characterId);
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
  async history(userId: string, characterId: string, before: string | undefined, limit: number): Promise<{ ok: true; messages: Message[]; nextBefore: string | null } | Fail> {
    const hot = await this.open(userId, characterId);
    if ("ok" in hot) return hot;
    let rows = this.store.recentActive(limit + 1, before);
    if (rows.length < limit + 1 && hot.cold !== "none") {
      const oldestLocal = this.store.oldestId();
      const floor = before && oldestLocal ? (before < oldestLocal ? before : oldestLocal) : (before ?? oldestLocal);
      rows = [...(await olderActive(this.db(), hot.pair, floor, limit + 1 - rows.length)), ...rows];
    }
    const more = rows.length > limit;
    const page = more ? rows.slice(1) : rows;
    return { ok: true, messages: page.map(toWire), nextBefore: more ? page[0].id : null };
  }

  async ledger(userId: string, characterId: string, messageId: string): Promise<{ ok: true; ledger: PromptLedger } | Fail> {
    const hot = await this.open(userId, characterId);
    if ("ok" in hot) return hot;
    const body = this.store.ledger(messageId);
    return body ? { ok: true, ledger: JSON.parse(body) as PromptLedger } : { ok: false, code: "message_not_found" };
  }

  /** The user's profile changed: the next prompt uses it. */
  async setProfile(userId: string, characterId: string, profile: { displayName: string; persona: string }): Promise<void> {
    const hot = await this.open(userId, characterId);
    if ("ok" in hot) return;
    hot.profile = profile;
    this.store.setMeta("profile", JSON.stringify(profile));
  }

  /** Deletes the conversation from this object: storage, outbox, alarm. */
  async destroy(): Promise<void> {
    this.turn?.abort.abort();
    this.turn = null;
    this.hot = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
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

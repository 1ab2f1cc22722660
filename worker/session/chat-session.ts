/**
 * ChatSession: the Durable Object for one (user, character) conversation,
 * bound as CHAT_SESSION. Its public methods are the RPC surface the routes
 * call; the turn machinery lives in SessionCore. Expected failures are
 * returned as `{ ok: false, code }` (RPC keeps nothing of an error but its
 * message).
 */
import type { Memory, Message, PromptLedger } from "../shared/wire";
import { olderActive } from "./cold";
import { chooseReply, editMemory, forgetMemory, pinMemory, rewindTo, withAlternatives } from "./controls";
import { type Caller, type Fail, type SendInput, type SendResult, SessionCore } from "./core";
import { popWindow } from "./hot";
import { memoryToWire } from "./memory-store";
import { drainOutbox } from "./outbox";
import { frameIndex, sseFrame } from "./turn";

export type { Caller, Fail, SendInput, SendResult } from "./core";

export class ChatSession extends SessionCore {
  async send(input: SendInput): Promise<SendResult> {
    const ready = await this.forTurn(input);
    if ("ok" in ready) return ready;
    const { hot, character } = ready;
    if (input.clientMessageId) {
      const earlier = this.store.byClientId(input.clientMessageId);
      if (earlier) return this.replay(hot, earlier, input.stream);
    }
    if (this.turn) return { ok: false, code: "turn_in_progress" };
    if (hot.window.length === 0 && hot.cold !== "some" && character.greeting) {
      this.append(hot, { role: "assistant", content: character.greeting, status: "complete", clientId: null, parentId: null });
    }
    return this.answer(hot, this.appendUser(hot, input.content, input.clientMessageId ?? null), input.stream, true);
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
    const message = withAlternatives(this.store, [last])[0];
    return { ok: true, stream: new Blob([sseFrame(`${last.id}.0`, "done", { message })]).stream() };
  }

  /** A page of history, newest last; older pages come from PostgreSQL when this object does not hold them. */
  async history(
    caller: Caller,
    before: string | undefined,
    limit: number,
  ): Promise<{ ok: true; messages: Message[]; nextBefore: string | null } | Fail> {
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
  async regenerate(input: Caller & { stream: boolean }): Promise<SendResult> {
    const ready = await this.forTurn(input);
    if ("ok" in ready) return ready;
    const { hot } = ready;
    if (this.turn) return { ok: false, code: "turn_in_progress" };
    const last = hot.window.at(-1);
    const parentId = last?.role === "assistant" ? last.parentId : last?.id;
    const parent = parentId ? hot.window.find((m) => m.id === parentId) : undefined;
    if (!parent) return { ok: false, code: "conflict" };
    if (last && last.role === "assistant") {
      this.store.updateMessage({ ...last, active: false });
      popWindow(hot);
    }
    return this.answer(hot, parent, input.stream, false);
  }

  /** Replaces a user message: it and what followed leave the history, and a fresh reply is written. */
  async edit(input: SendInput & { messageId: string }): Promise<SendResult> {
    const ready = await this.forTurn(input);
    if ("ok" in ready) return ready;
    if (this.turn) return { ok: false, code: "turn_in_progress" };
    const target = this.store.byId(input.messageId);
    if (!target?.active || target.role !== "user") return { ok: false, code: "message_not_found" };
    rewindTo(this.store, this.mem, target.id, true);
    this.hot = null;
    const fresh = await this.open(input);
    if ("ok" in fresh) return fresh;
    return this.answer(fresh, this.appendUser(fresh, input.content, null), input.stream, true);
  }

  /** Everything after `messageId` leaves the active history, with the memories and summaries made from it. */
  async rewind(caller: Caller, messageId: string): Promise<{ ok: true; messages: Message[] } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    if (this.turn) return { ok: false, code: "turn_in_progress" };
    const target = this.store.byId(messageId);
    if (!target?.active) return { ok: false, code: "message_not_found" };
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
    return this.queued(pinMemory(this.store, this.mem, this.nextId().id, input));
  }

  async updateMemory(caller: Caller, id: string, content: string): Promise<{ ok: true; memory: Memory } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    return this.queued(editMemory(this.mem, id, content));
  }

  async forget(caller: Caller, id: string): Promise<{ ok: true } | Fail> {
    const hot = await this.open(caller);
    if ("ok" in hot) return hot;
    return this.queued(forgetMemory(this.mem, id));
  }

  /** A result whose change went into the outbox: have the alarm copy it. */
  private queued<T extends { ok: boolean }>(result: T): T {
    if (result.ok) this.flushBy(Date.now() + 250);
    return result;
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
    await this.clearStorage();
    await this.pg?.close().catch(() => {});
    this.pg = null;
  }

  /** Drains the outbox to PostgreSQL; on failure retries with backoff, re-arming itself. */
  async alarm(): Promise<void> {
    this.alarmAt = null;
    const next = await drainOutbox(this.store, () => this.db());
    if (next.at === "now") this.flushBy(Date.now());
    if (next.at === "later") {
      console.warn(JSON.stringify({ level: "warn", event: "outbox_retry", delayMs: next.delayMs, error: String(next.error) }));
      await this.pg?.close().catch(() => {});
      this.pg = null;
      this.flushBy(Date.now() + next.delayMs);
    }
  }
}

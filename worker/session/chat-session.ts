/**
 * ChatSession: the Durable Object for one (user, character) conversation,
 * bound as CHAT_SESSION. This class is its RPC surface and nothing else:
 * each job is a collaborator in a file named for it, owning its own state.
 * Expected failures are returned as `{ ok: false, code }` (RPC keeps nothing
 * of an error but its message).
 */
import { DurableObject } from "cloudflare:workers";
import type { CharacterSnapshot } from "../context/system-prompt";
import { countTokens } from "../context/tokens";
import type { Env } from "../env";
import type { Memory, Message, PromptLedger } from "../shared/wire";
import { createCollaborators } from "./collaborators";
import { chooseReply, editMemory, forgetMemory, pinMemory, rewindTo, withAlternatives } from "./controls";
import { historyPage, resumeStream } from "./history";
import { memoryToWire } from "./memories";
import { replaySend } from "./replay";
import { messageLimit, sheetOf } from "./reply";
import { ensureSchema } from "./schema";
import type { Caller, Fail, Result, SendInput, SendResult } from "./types";
import { type Hot, popWindow } from "./window";

export type { Caller, Fail, SendInput, SendResult } from "./types";

export class ChatSession extends DurableObject<Env> {
  private readonly c: ReturnType<typeof createCollaborators>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.c = createCollaborators(ctx, env, () => this.clearStorage());
  }

  async send(input: SendInput): Promise<SendResult> {
    const ready = await this.open(input);
    if (!ready.ok) return ready;
    const { hot, character } = ready;
    if (input.clientMessageId) {
      const earlier = this.c.store.byClientId(input.clientMessageId);
      if (earlier) return replaySend(this.c.runner, this.c.store, ready, earlier, input.stream);
    }
    if (this.c.runner.current) return { ok: false, code: "turn_in_progress" };
    this.c.conversation.greetIfNew(hot, character.greeting);
    const tokens = this.fits(hot, character, input.content);
    if (typeof tokens !== "number") return tokens;
    const userMessage = this.c.conversation.appendUser(hot, input.content, input.clientMessageId ?? null, tokens);
    return this.c.runner.start(hot, character, userMessage, input.stream, true);
  }

  async cancel(caller: Caller): Promise<Result<{ cancelled: boolean }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    return { ok: true, cancelled: this.c.runner.cancel() };
  }

  /** Resume: what the caller missed of the current or just-finished reply, then live. */
  async resume(caller: Caller, lastEventId?: string): Promise<Result<{ stream: ReadableStream<Uint8Array> | null }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    const { hot } = ready;
    return { ok: true, stream: resumeStream(this.c.runner, this.c.store, hot, lastEventId) };
  }

  /** A page of history, newest last; older pages come from PostgreSQL when this object does not hold them. */
  async history(
    caller: Caller,
    before: string | undefined,
    limit: number,
  ): Promise<Result<{ messages: Message[]; nextBefore: string | null; maxMessageTokens: number }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    const { hot } = ready;
    const maxMessageTokens = messageLimit(this.c.runner.promptBudget(), sheetOf(hot, ready.character).tokens);
    return { ok: true, ...(await historyPage(this.c.store, this.c.pg, hot, before, limit)), maxMessageTokens };
  }

  async ledger(caller: Caller, messageId: string): Promise<Result<{ ledger: PromptLedger }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    const body = this.c.store.ledger(messageId);
    return body ? { ok: true, ledger: JSON.parse(body) as PromptLedger } : { ok: false, code: "message_not_found" };
  }

  /** A new version of the last reply; the earlier ones stay as alternatives. */
  async regenerate(input: Caller & { stream: boolean }): Promise<SendResult> {
    const ready = await this.open(input);
    if (!ready.ok) return ready;
    const { hot, character } = ready;
    if (this.c.runner.current) return { ok: false, code: "turn_in_progress" };
    const last = hot.window.at(-1);
    const parentId = last?.role === "assistant" ? last.parentId : last?.id;
    const parent = parentId ? hot.window.find((m) => m.id === parentId) : undefined;
    if (!parent) return { ok: false, code: "conflict" };
    if (last && last.role === "assistant") {
      this.c.store.updateMessage({ ...last, active: false });
      popWindow(hot);
    }
    return this.c.runner.start(hot, character, parent, input.stream, false);
  }

  /** Replaces a user message: it and what followed leave the history, and a fresh reply is written. */
  async edit(input: SendInput & { messageId: string }): Promise<SendResult> {
    const ready = await this.open(input);
    if (!ready.ok) return ready;
    if (this.c.runner.current) return { ok: false, code: "turn_in_progress" };
    const target = this.c.store.byId(input.messageId);
    if (!target?.active || target.role !== "user") return { ok: false, code: "message_not_found" };
    const tokens = this.fits(ready.hot, ready.character, input.content);
    if (typeof tokens !== "number") return tokens;
    rewindTo(this.c.store, this.c.memories, target.id, true);
    this.c.hydration.invalidate();
    const hot = await this.c.hydration.open(input);
    if ("ok" in hot) return hot;
    const userMessage = this.c.conversation.appendUser(hot, input.content, null, tokens);
    return this.c.runner.start(hot, ready.character, userMessage, input.stream, true);
  }

  /** Everything after `messageId` leaves the active history, with the memories and summaries made from it. */
  async rewind(caller: Caller, messageId: string): Promise<Result<{ messages: Message[] }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    if (this.c.runner.current) return { ok: false, code: "turn_in_progress" };
    const target = this.c.store.byId(messageId);
    if (!target?.active) return { ok: false, code: "message_not_found" };
    rewindTo(this.c.store, this.c.memories, target.id, false);
    this.c.hydration.invalidate();
    const page = await this.history(caller, undefined, 50);
    return page.ok ? { ok: true, messages: page.messages } : page;
  }

  /** Swipe: makes another version of the last reply the one that counts. */
  async choose(caller: Caller, messageId: string): Promise<Result<{ message: Message }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    const { hot } = ready;
    if (this.c.runner.current) return { ok: false, code: "turn_in_progress" };
    const chosen = chooseReply(this.c.store, messageId, hot.window.at(-1));
    if ("ok" in chosen) return chosen;
    this.c.hydration.invalidate();
    return { ok: true, message: withAlternatives(this.c.store, [chosen])[0] };
  }

  async listMemories(caller: Caller): Promise<Result<{ memories: Memory[] }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    return { ok: true, memories: this.c.memories.memories().map(memoryToWire) };
  }

  /** Pins a memory: given text, or the content of one of this conversation's messages. */
  async pin(caller: Caller, input: { content?: string; messageId?: string }): Promise<Result<{ memory: Memory }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    return this.queued(pinMemory(this.c.store, this.c.memories, this.c.conversation.nextId(), input));
  }

  async updateMemory(caller: Caller, id: string, content: string): Promise<Result<{ memory: Memory }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    return this.queued(editMemory(this.c.memories, id, content));
  }

  async forget(caller: Caller, id: string): Promise<Result> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    return this.queued(forgetMemory(this.c.memories, id));
  }

  /** The user's profile changed: the next prompt uses it. */
  async setProfile(caller: Caller, profile: { displayName: string; persona: string }): Promise<void> {
    const ready = await this.open(caller);
    if (!ready.ok) return;
    const { hot } = ready;
    hot.profile = profile;
    this.c.store.setMeta("profile", JSON.stringify(profile));
  }

  /** The character changed: read it again on the next turn. */
  async refreshCharacter(): Promise<void> {
    this.c.characters.refresh();
  }

  /** Deletes the conversation from this object: storage, outbox, alarm. */
  async destroy(): Promise<void> {
    this.c.runner.stop();
    this.c.hydration.invalidate();
    this.c.characters.clear();
    await this.clearStorage();
    await this.c.pg.reset();
  }

  /** Drains the outbox to PostgreSQL. */
  async alarm(): Promise<void> {
    await this.c.outbox.drain();
  }

  /**
   * The hot state and the character, both checked against the caller: the
   * owner first, then the character, and only then anything written (a
   * conversation with someone else's private character never starts).
   */
  private async open(caller: Caller): Promise<Result<{ hot: Hot; character: CharacterSnapshot }>> {
    if (this.c.hydration.foreign(caller)) return { ok: false, code: "forbidden" };
    const character = await this.c.characters.get(caller);
    if ("ok" in character) return character;
    const hot = await this.c.hydration.open(caller);
    return "ok" in hot ? hot : { ok: true, hot, character };
  }

  /** The message's tokens when it fits the prompt with the whole character sheet; else the refusal, with the limit. */
  private fits(hot: Hot, character: CharacterSnapshot, content: string): number | Fail {
    const tokens = countTokens(content);
    const limit = messageLimit(this.c.runner.promptBudget(), sheetOf(hot, character).tokens);
    if (tokens <= limit) return tokens;
    const message = `This message is ${tokens} tokens; with this character's sheet a message may be at most ${limit} tokens (about ${limit * 4} characters of English).`;
    return { ok: false, code: "message_too_long", message };
  }

  /** A result whose change went into the outbox: have the alarm copy it soon. */
  private queued<T extends { ok: boolean }>(result: T): T {
    if (result.ok) this.c.outbox.flushBy(Date.now() + 250);
    return result;
  }

  /** Empties this object's storage; it may live on in memory, so its tables start again. */
  private async clearStorage(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    this.c.outbox.reset();
    await this.ctx.storage.deleteAll();
    ensureSchema(this.ctx.storage.sql);
    this.c.recall.reset();
  }
}

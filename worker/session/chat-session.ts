/**
 * ChatSession: the Durable Object for one (user, character) pair, bound as
 * CHAT_SESSION, holding all of the pair's conversations. This class is its
 * RPC surface and nothing else: each job is a collaborator in a file named
 * for it, owning its own state. Expected failures are returned as
 * `{ ok: false, code }` (RPC keeps nothing of an error but its message).
 */
import { DurableObject } from "cloudflare:workers";
import type { CharacterSnapshot } from "../context/system-prompt";
import { countTokens } from "../context/tokens";
import type { Env } from "../env";
import type { ChatInfo, Memory, Message, PromptLedger } from "../shared/wire";
import { copyHistory } from "./branch";
import { createCollaborators } from "./collaborators";
import { chooseReply, editMemory, forgetMemory, type MemoryScope, pinMemory, rewindTo, withAlternatives } from "./controls";
import { historyPage, resumeStream } from "./history";
import { memoryToWire } from "./memories";
import { replaySend } from "./replay";
import { messageLimit, sheetOf } from "./reply";
import { ensureSchema } from "./schema";
import { type Caller, type Fail, MAIN_CHAT, type Result, type SendInput, type SendResult } from "./types";
import { type Hot, popWindow, toWire } from "./window";

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
    if (this.c.runner.current(hot.chat)) return { ok: false, code: "turn_in_progress" };
    this.c.conversation.greetIfNew(hot, character.greeting);
    const tokens = this.fits(hot, character, input.content);
    if (typeof tokens !== "number") return tokens;
    const userMessage = this.c.conversation.appendUser(hot, input.content, input.clientMessageId ?? null, tokens);
    return this.c.runner.start(hot, character, userMessage, input.stream, true);
  }

  async cancel(caller: Caller): Promise<Result<{ cancelled: boolean }>> {
    const ready = await this.open(caller);
    return ready.ok ? { ok: true, cancelled: this.c.runner.cancel(ready.hot.chat) } : ready;
  }

  /** Resume: what the caller missed of the current or just-finished reply, then live. */
  async resume(caller: Caller, lastEventId?: string): Promise<Result<{ stream: ReadableStream<Uint8Array> | null }>> {
    const ready = await this.open(caller);
    return ready.ok ? { ok: true, stream: resumeStream(this.c.runner, this.c.store, ready.hot, lastEventId) } : ready;
  }

  /** A page of history, newest last, and the longest message the character can read. */
  async history(caller: Caller, before: string | undefined, limit: number) {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    const maxMessageTokens = messageLimit(this.c.runner.promptBudget(), sheetOf(ready.hot, ready.character).tokens);
    return { ok: true as const, ...(await historyPage(this.c.store, this.c.pg, ready.hot, before, limit)), maxMessageTokens };
  }

  async ledger(caller: Caller, messageId: string): Promise<Result<{ ledger: PromptLedger }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    const body = this.c.store.byId(messageId)?.chat === ready.hot.chat ? this.c.store.ledger(messageId) : null;
    return body ? { ok: true, ledger: JSON.parse(body) as PromptLedger } : { ok: false, code: "message_not_found" };
  }

  /** A new version of the last reply; the earlier ones stay as alternatives. */
  async regenerate(input: Caller & { stream: boolean }): Promise<SendResult> {
    const ready = await this.open(input);
    if (!ready.ok) return ready;
    const { hot, character } = ready;
    if (this.c.runner.current(hot.chat)) return { ok: false, code: "turn_in_progress" };
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
    const chat = ready.hot.chat;
    if (this.c.runner.current(chat)) return { ok: false, code: "turn_in_progress" };
    const target = this.c.store.byId(input.messageId);
    if (!target?.active || target.chat !== chat || target.role !== "user") return { ok: false, code: "message_not_found" };
    const tokens = this.fits(ready.hot, ready.character, input.content);
    if (typeof tokens !== "number") return tokens;
    rewindTo(this.c.store, this.c.memories, chat, target.id, true);
    this.c.hydration.invalidate(chat);
    const hot = await this.c.hydration.open(input);
    if ("ok" in hot) return hot;
    const userMessage = this.c.conversation.appendUser(hot, input.content, null, tokens);
    return this.c.runner.start(hot, ready.character, userMessage, input.stream, true);
  }

  /** Everything after `messageId` leaves the active history, with the memories and summaries made from it. */
  async rewind(caller: Caller, messageId: string): Promise<Result<{ messages: Message[] }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    const chat = ready.hot.chat;
    if (this.c.runner.current(chat)) return { ok: false, code: "turn_in_progress" };
    const target = this.c.store.byId(messageId);
    if (!target?.active || target.chat !== chat) return { ok: false, code: "message_not_found" };
    rewindTo(this.c.store, this.c.memories, chat, target.id, false);
    this.c.hydration.invalidate(chat);
    const page = await this.history(caller, undefined, 50);
    return page.ok ? { ok: true, messages: page.messages } : page;
  }

  /** Swipe: makes another version of the last reply the one that counts. */
  async choose(caller: Caller, messageId: string): Promise<Result<{ message: Message }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    if (this.c.runner.current(ready.hot.chat)) return { ok: false, code: "turn_in_progress" };
    const chosen = chooseReply(this.c.store, messageId, ready.hot.window.at(-1));
    if ("ok" in chosen) return chosen;
    this.c.hydration.invalidate(ready.hot.chat);
    return { ok: true, message: withAlternatives(this.c.store, [chosen])[0] };
  }

  async listMemories(caller: Caller): Promise<Result<{ memories: Memory[] }>> {
    const ready = await this.open(caller);
    return ready.ok ? { ok: true, memories: this.c.memories.memories(ready.hot.chat).map(memoryToWire) } : ready;
  }

  /** Pins a memory to this conversation or to the character: given text, or the content of one of its messages. */
  async pin(caller: Caller, input: { content?: string; messageId?: string; scope?: MemoryScope }): Promise<Result<{ memory: Memory }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    return this.queued(pinMemory(this.c.store, this.c.memories, ready.hot.chat, this.c.conversation.nextId(), input));
  }

  async updateMemory(caller: Caller, id: string, change: { content?: string; scope?: MemoryScope }): Promise<Result<{ memory: Memory }>> {
    const ready = await this.open(caller);
    return ready.ok ? this.queued(editMemory(this.c.memories, ready.hot.chat, id, change)) : ready;
  }

  async forget(caller: Caller, id: string): Promise<Result> {
    const ready = await this.open(caller);
    return ready.ok ? this.queued(forgetMemory(this.c.memories, ready.hot.chat, id)) : ready;
  }

  /** The pair's conversations, the main one first. */
  async chats(caller: Caller): Promise<Result<{ chats: ChatInfo[] }>> {
    const ready = await this.open({ ...caller, chat: MAIN_CHAT });
    if (!ready.ok) return ready;
    const chats = this.c.chats.list().map((chat) => {
      const last = chat.id === MAIN_CHAT ? ready.hot.window.at(-1) : this.c.store.recentActive(chat.id, 1)[0];
      return {
        id: chat.id,
        title: chat.title,
        branchedFrom: chat.branchedFrom,
        createdAt: new Date(chat.createdAt).toISOString(),
        lastMessage: last ? toWire(last) : null,
      };
    });
    return { ok: true, chats };
  }

  /** A new conversation with the character; from `fromMessageId` of the caller's conversation, a branch of it. */
  async newChat(caller: Caller, input: { title: string; fromMessageId?: string }): Promise<Result<{ chat: ChatInfo }>> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    const id = this.c.conversation.nextId();
    const row = this.c.chats.create(id, input.title, input.fromMessageId ?? null);
    if (input.fromMessageId && !copyHistory(this.c.conversation, this.c.memories, ready.hot, input.fromMessageId, id)) {
      this.c.chats.remove(id);
      return { ok: false, code: "message_not_found" };
    }
    this.c.outbox.flushBy(Date.now() + 250);
    const last = this.c.store.recentActive(id, 1)[0];
    const chat = {
      id,
      title: row.title,
      branchedFrom: row.branchedFrom,
      createdAt: new Date(row.createdAt).toISOString(),
      lastMessage: last ? toWire(last) : null,
    };
    return { ok: true, chat };
  }

  async renameChat(caller: Caller, title: string): Promise<Result> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    this.c.chats.rename(ready.hot.chat, title);
    return this.queued({ ok: true });
  }

  /** Deletes one conversation (not the main one: deleting that ends the pair, see destroy). */
  async deleteChat(caller: Caller): Promise<Result> {
    const ready = await this.open(caller);
    if (!ready.ok) return ready;
    const chat = ready.hot.chat;
    if (chat === MAIN_CHAT) return { ok: false, code: "conflict", message: "The main conversation is deleted with the whole chat." };
    this.c.runner.stop(chat);
    this.c.store.dropChat(chat);
    this.c.memories.dropChat(chat);
    this.c.recall.forget(chat);
    this.c.chats.remove(chat);
    this.c.hydration.invalidate(chat);
    return this.queued({ ok: true });
  }

  /** The user's profile changed: the next prompt uses it. */
  async setProfile(caller: Caller, profile: { displayName: string; persona: string }): Promise<void> {
    if (!this.c.hydration.foreign(caller)) this.c.hydration.setProfile(profile);
  }

  /** The character changed: read it again on the next turn. */
  async refreshCharacter(): Promise<void> {
    this.c.characters.refresh();
  }

  /** Deletes every conversation of the pair from this object: storage, outbox, alarm. */
  async destroy(): Promise<void> {
    this.c.runner.stop();
    this.c.characters.clear();
    await this.clearStorage();
    await this.c.pg.reset();
  }

  /** Drains the outbox to PostgreSQL. */
  async alarm(): Promise<void> {
    await this.c.outbox.drain();
  }

  /**
   * The caller's conversation, hot, and the character, both checked against
   * the caller: the owner first, then the character, and only then anything
   * written (a conversation with someone else's private character never starts).
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
    this.c.hydration.invalidateAll();
    this.c.recall.forget();
    await this.ctx.storage.deleteAll();
    ensureSchema(this.ctx.storage.sql);
  }
}

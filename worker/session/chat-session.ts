/**
 * ChatSession: the Durable Object for one (user, character) pair, bound as
 * CHAT_SESSION, holding all of the pair's conversations. This class is its
 * RPC surface and nothing else: each job is a collaborator or an action in a
 * file named for it. Expected failures are returned as `{ ok: false, code }`
 * (RPC keeps nothing of an error but its message).
 */
import { connect } from "cloudflare:sockets";
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { errorBody, errorStatus } from "../errors";
import type { ChatInfo, Memory, Message, Persona, PromptLedger } from "../shared/wire";
import { choosePersona, deleteChat, listChats, newChat, personaChanged, renameChat } from "./chat-admin";
import { createCollaborators, type Parts, type Ready } from "./collaborators";
import { editMemory, forgetMemory, type MemoryScope, pinMemory } from "./controls";
import { historyPage, resumeStream } from "./history";
import { LIVE_CHARACTER, LIVE_USER } from "./live";
import { memoryToWire } from "./memories";
import { changed, choose, continueReply, deleteMessage, editReply, rewind } from "./message-tools";
import { greetingsFor, messageLimit, sheetTokens } from "./prompt-for";
import { tracedCall } from "./traced-call";
import { edit, regenerate, send } from "./turns";
import { type Caller, type Fail, MAIN_CHAT, type Result, type SendInput, type SendResult } from "./types";

export type { Caller, Fail, SendInput, SendResult } from "./types";

export class ChatSession extends DurableObject<Env> {
  private readonly c: Parts;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.c = createCollaborators(ctx, env, connect);
  }

  async send(input: SendInput): Promise<SendResult> {
    return tracedCall(this.c, "send", input, (ready) => send(this.c, ready, input));
  }

  async regenerate(input: Caller & { stream: boolean }): Promise<SendResult> {
    return tracedCall(this.c, "regenerate", input, (ready) => regenerate(this.c, ready, input.stream));
  }

  async edit(input: SendInput & { messageId: string }): Promise<SendResult> {
    return tracedCall(this.c, "edit", input, (ready) => edit(this.c, ready, input));
  }

  async cancel(caller: Caller): Promise<Result<{ cancelled: boolean }>> {
    return this.with(caller, ({ hot }) => ({ ok: true, cancelled: this.c.runner.cancel(hot.chat) }));
  }

  /** Resume: what the caller missed of the current or just-finished reply, then live. */
  async resume(caller: Caller, lastEventId?: string): Promise<Result<{ stream: ReadableStream<Uint8Array> | null }>> {
    return this.with(caller, ({ hot }) => ({ ok: true, stream: resumeStream(this.c.runner, this.c.store, hot, lastEventId) }));
  }

  /** A page of history, newest last, and the longest message the character can read. */
  async history(caller: Caller, before: string | undefined, limit: number) {
    return this.with(caller, async ({ hot, character }) => {
      // Opening a new conversation shows the greeting (and its alternates to swipe) before the user says anything.
      const budget = this.c.runner.promptBudget(character.model);
      if (!before) this.c.conversation.greetIfNew(hot, greetingsFor(hot, character, budget));
      const maxMessageTokens = messageLimit(budget, sheetTokens(hot, character, budget));
      return { ok: true as const, ...(await historyPage(this.c.store, this.c.pg, hot, before, limit)), maxMessageTokens };
    });
  }

  async ledger(caller: Caller, messageId: string): Promise<Result<{ ledger: PromptLedger }>> {
    return this.with<Result<{ ledger: PromptLedger }>>(caller, ({ hot }) => {
      const body = this.c.store.byId(messageId)?.chat === hot.chat ? this.c.store.ledger(messageId) : null;
      return body ? { ok: true, ledger: JSON.parse(body) as PromptLedger } : { ok: false, code: "message_not_found" };
    });
  }

  /** Everything after `messageId` leaves the active history, with the memories and summaries made from it. */
  async rewind(caller: Caller, messageId: string): Promise<Result<{ messages: Message[] }>> {
    const done = await this.with(caller, (ready) => rewind(this.c, ready, messageId));
    if (!done.ok) return done;
    const page = await this.history(caller, undefined, 50);
    return page.ok ? { ok: true, messages: page.messages } : page;
  }

  /** Swipe: makes another version of the last reply the one that counts. */
  async choose(caller: Caller, messageId: string): Promise<Result<{ message: Message }>> {
    return this.with(caller, (ready) => choose(this.c, ready, messageId));
  }

  /** Deletes a message (a user message with its replies) from the history. */
  async deleteMessage(caller: Caller, messageId: string): Promise<Result> {
    return this.with(caller, async (ready) =>
      this.touched(ready.hot.chat, await deleteMessage(this.c, ready, messageId), "history", "memories"),
    );
  }

  /** Changes what the character said. */
  async editReply(caller: Caller, messageId: string, content: string): Promise<Result<{ message: Message }>> {
    return this.with(caller, (ready) => this.touched(ready.hot.chat, editReply(this.c, ready, messageId, content), "history"));
  }

  /** More of the last reply, appended to it. */
  async continueReply(input: Caller & { stream: boolean }): Promise<SendResult> {
    return tracedCall(this.c, "continueReply", input, (ready) => continueReply(this.c, ready, input.stream));
  }

  async listMemories(caller: Caller): Promise<Result<{ memories: Memory[] }>> {
    return this.with(caller, ({ hot }) => ({ ok: true, memories: this.c.memories.memories(hot.chat).map(memoryToWire) }));
  }

  /** Pins a memory to this conversation or to the character: given text, or the content of one of its messages. */
  async pin(caller: Caller, input: { content?: string; messageId?: string; scope?: MemoryScope }): Promise<Result<{ memory: Memory }>> {
    return this.with(caller, ({ hot }) =>
      this.remembered(hot.chat, pinMemory(this.c.store, this.c.memories, hot.chat, this.c.conversation.nextId(), input)),
    );
  }

  async updateMemory(caller: Caller, id: string, change: { content?: string; scope?: MemoryScope }): Promise<Result<{ memory: Memory }>> {
    return this.with(caller, ({ hot }) => this.remembered(hot.chat, editMemory(this.c.memories, hot.chat, id, change)));
  }

  async forget(caller: Caller, id: string): Promise<Result> {
    return this.with(caller, ({ hot }) => this.remembered(hot.chat, forgetMemory(this.c.memories, hot.chat, id)));
  }

  /** The pair's conversations, the main one first. */
  async chats(caller: Caller): Promise<Result<{ chats: ChatInfo[] }>> {
    return this.with({ ...caller, chat: MAIN_CHAT }, ({ hot }) => ({ ok: true, chats: listChats(this.c, hot) }));
  }

  /** A new conversation with the character; from `fromMessageId` of the caller's conversation, a branch of it. */
  async newChat(caller: Caller, input: { title: string; fromMessageId?: string }): Promise<Result<{ chat: ChatInfo }>> {
    return this.with(caller, (ready) => newChat(this.c, ready, input));
  }

  async renameChat(caller: Caller, title: string): Promise<Result> {
    return this.with(caller, (ready) => renameChat(this.c, ready, title));
  }

  async deleteChat(caller: Caller): Promise<Result> {
    return this.with(caller, (ready) => deleteChat(this.c, ready));
  }

  /** Chooses who the user is in the caller's conversation (null: the profile). */
  async setPersona(caller: Caller, persona: Persona | null): Promise<Result> {
    return this.with(caller, (ready) => choosePersona(this.c, ready, persona));
  }

  /** One of the owner's personas changed (null: deleted): the conversations using it follow. */
  async personaChanged(caller: Caller, id: string, persona: Persona | null): Promise<void> {
    if (!this.c.hydration.foreign(caller)) personaChanged(this.c, id, persona);
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
    this.c.live.closeAll();
    this.c.runner.stop();
    this.c.characters.clear();
    await this.c.clear();
    await this.c.pg.reset();
  }

  /**
   * The live WebSocket (only the worker calls this, after verifying the
   * caller, whom it names in headers it sets itself): every change of the
   * pair's conversations is pushed to it.
   */
  async fetch(request: Request): Promise<Response> {
    const caller = { userId: request.headers.get(LIVE_USER) ?? "", characterId: request.headers.get(LIVE_CHARACTER) ?? "" };
    const ready = await this.c.open(caller);
    if (!ready.ok) return Response.json(errorBody(ready.code), { status: errorStatus(ready.code) });
    return this.c.live.accept();
  }

  /** The same live events as SSE. */
  async liveStream(caller: Caller): Promise<Result<{ stream: ReadableStream<Uint8Array> }>> {
    return this.with({ ...caller, chat: MAIN_CHAT }, () => ({ ok: true, stream: this.c.live.stream() }));
  }

  async webSocketMessage(): Promise<void> {
    // Clients only listen; pings are answered by the runtime without waking the object.
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code);
  }

  /** Drains the outbox to PostgreSQL. */
  async alarm(): Promise<void> {
    await this.c.outbox.drain();
  }

  /** Runs `action` on the caller's conversation once it is open, or answers why it cannot be. */
  private async with<R>(caller: Caller, action: (ready: Ready) => R | Promise<R>): Promise<R | Fail> {
    const ready = await this.c.open(caller);
    return ready.ok ? action(ready) : ready;
  }

  /** A memory change: copied soon, and every open client reads the memories again. */
  private remembered<T extends { ok: boolean }>(chat: string, result: T): T {
    if (!result.ok) return result;
    this.c.outbox.flushBy(Date.now() + 250);
    changed(this.c, chat, "memories");
    return result;
  }

  /** A change that succeeded: `what` of `chat` is read again. */
  private touched<T extends { ok: boolean }>(chat: string, result: T, ...what: ("history" | "memories")[]): T {
    if (result.ok) changed(this.c, chat, ...what);
    return result;
  }
}

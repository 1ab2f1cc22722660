/**
 * The turn runner: one reply at a time. It assembles the prompt (memories,
 * summary, recall, recent turns), streams the reply into the turn's buffer,
 * stores it with its final status and ledger, corrects the token
 * calibration, and starts a summary when enough turns fell out (and a step
 * of tidying the recall index).
 */
import type { CharacterSnapshot } from "../context/system-prompt";
import { MESSAGE_OVERHEAD } from "../context/tokens";
import { errorMessage } from "../errors";
import { errorKind, logEvent } from "../log";
import type { Span } from "../shared/spans";
import type { Message } from "../shared/wire";
import { assemblePrompt } from "./assemble";
import { createCallSettings } from "./call-settings";
import type { Checkpoint } from "./checkpoint";
import type { Ready } from "./collaborators";
import type { SessionConfig } from "./config";
import { withAlternatives } from "./controls";
import type { Conversation } from "./conversation";
import type { Live } from "./live";
import type { Memories } from "./memories";
import type { SessionPg } from "./pg";
import type { RecallSource } from "./recall";
import type { Store } from "./store";
import { createSummarizer } from "./summarise";
import { tracedReply } from "./traced-reply";
import { createTurn, type Turn } from "./turn";
import type { SendResult, StoredMessage } from "./types";
import { type Hot, toWire, userIdentity } from "./window";

export interface RunnerDeps {
  config: SessionConfig;
  store: Store;
  memories: Memories;
  conversation: Conversation;
  recall: RecallSource;
  checkpoint: Checkpoint;
  live: Live;
  pg: SessionPg;
  waitUntil: (p: Promise<unknown>) => void;
}

export function createTurnRunner(deps: RunnerDeps) {
  const { config, store } = deps;
  /** The reply being written in each conversation, and the one written last (resume after it ended). */
  const current = new Map<string, Turn>();
  const last = new Map<string, Turn>();
  const summarizer = createSummarizer(deps.memories, deps.waitUntil);
  const settings = createCallSettings(config, store, deps.pg);
  const { calibration, budgetOf, callConfig, promptBudget: budget } = settings;

  /** Answers once the first token (streaming) or the whole reply (JSON) is known. */
  async function follow(t: Turn, stream: boolean): Promise<SendResult> {
    await (stream ? t.started : t.done);
    const outcome = t.outcome;
    if (outcome && !t.sawToken && outcome.status === "error") return { ok: false, code: outcome.code, retryAfter: outcome.retryAfter };
    if (stream) return { ok: true, stream: t.subscribe(-1) };
    if (!outcome?.reply || outcome.status !== "complete") return { ok: false, code: outcome?.code ?? "upstream_error" };
    const user = store.byId(t.userMessageId);
    return user ? { ok: true, userMessage: toWire(user), reply: outcome.reply } : { ok: false, code: "internal" };
  }

  /**
   * Writes the reply to `userMessage`; with `continued`, goes on from that
   * partial reply (the new text is appended to it) instead of writing a new one.
   */
  async function generate(
    hot: Hot,
    t: Turn,
    userMessage: StoredMessage,
    character: CharacterSnapshot,
    continued: StoredMessage | undefined,
    span: Span | undefined,
  ): Promise<void> {
    const startedAt = Date.now();
    const before = continued?.content ?? "";
    const checkpoint = deps.checkpoint.begin(hot.chat, userMessage.id, continued?.id ?? null);
    const promptBudget = budget(character.model);
    const parts = {
      memories: deps.memories.memories(hot.chat),
      summary: deps.memories.summary(hot.chat),
      shares: config.shares,
      recallLimit: config.recallLimit,
      recall: config.recall,
    };
    const room = continued ? continued.tokens + MESSAGE_OVERHEAD : 0;
    const assembling = span?.child("session.prompt");
    const prompt = await assemblePrompt(hot, character, userMessage, promptBudget - room, parts, deps.recall.retriever(hot));
    assembling?.set({
      "chat.prompt.tokens": prompt.tokens,
      "chat.prompt.messages": prompt.messages.length,
      "chat.prompt.budget": promptBudget,
    });
    assembling?.end();
    if (continued) {
      prompt.messages.push({ role: "assistant", content: continued.content });
      prompt.tokens += room;
    }
    const cfg = callConfig(hot, character);
    const maxTokens = Math.max(32, budgetOf(character.model).reply - (continued?.tokens ?? 0));
    const result = await tracedReply({
      cfg,
      prompt,
      turn: t,
      maxTokens,
      characterId: character.id,
      progress: (text, frames) => checkpoint.progress(before + text, frames),
      continueLast: !!continued,
      span,
      startedAt,
    });
    if (current.get(hot.chat) !== t) return; // the conversation was deleted meanwhile
    // Its user message was stored without its recall-index entry, to keep that work off the way to the first token.
    indexLate(hot.chat, userMessage.id, span);
    let reply: Message | undefined;
    const stored = continued
      ? deps.conversation.extend(hot, continued, result.content, result.status)
      : result.content || result.status === "complete"
        ? deps.conversation.append(
            hot,
            { chat: hot.chat, role: "assistant", content: result.content, status: result.status, clientId: null, parentId: userMessage.id },
            true,
          )
        : null;
    if (stored) {
      store.saveLedger(stored.id, JSON.stringify(prompt.ledger));
      // With the other versions, so a client shown this reply can still swipe.
      reply = withAlternatives(store, [stored])[0];
      deps.live.broadcast({ type: "message", chat: hot.chat, message: reply });
    } else {
      deps.conversation.endedWithoutReply();
    }
    deps.checkpoint.clear(hot.chat);
    calibration.observe(result.usage?.promptTokens, prompt.tokens);
    const code = result.errorCode ?? "upstream_error";
    t.outcome = { status: result.status, reply, code, retryAfter: result.retryAfter };
    current.delete(hot.chat);
    last.set(hot.chat, t);
    if (result.status === "complete" || result.status === "cancelled") t.emit({ event: "done", data: { message: reply } });
    else t.emit({ event: "error", data: { code, message: errorMessage(code), partial: reply } });
    deps.recall.afterReply(hot);
    summarizer.afterReply({
      chat: hot.chat,
      cfg,
      window: hot.window,
      ledger: prompt.ledger,
      promptBudget,
      trigger: config.summaryTriggerTokens ?? Math.floor(promptBudget / 4),
      share: config.shares.summary,
      names: { user: userIdentity(hot).name || "User", character: character.name },
    });
  }

  /** A failure of our own while writing the reply: the turn still ends, with an error event. */
  function failed(chat: string, t: Turn, err: unknown, span?: Span): void {
    logEvent("error", "turn_failed", { traceId: span?.context.traceId, error: errorKind(err) });
    if (current.get(chat) !== t) return;
    deps.checkpoint.clear(chat);
    deps.conversation.endedWithoutReply();
    t.outcome = { status: "error", code: "internal" };
    current.delete(chat);
    last.set(chat, t);
    t.emit({ event: "error", data: { code: "internal", message: errorMessage("internal") } });
    indexLate(chat, t.userMessageId, span);
  }

  /** Indexes a turn's user message for recall; a failure is logged, and the next load of the conversation indexes it (recall.ts). */
  function indexLate(chat: string, messageId: string, span?: Span): void {
    try {
      store.indexLate(chat, messageId);
    } catch (err) {
      logEvent("warn", "recall_index_failed", { traceId: span?.context.traceId, error: errorKind(err) });
    }
  }

  return {
    promptBudget: budget,
    /** Makes sure the owner's plan has been read and the model's window asked (call-settings.ts). */
    prepare: (hot: Hot, character: CharacterSnapshot) => settings.prepare(hot, character, deps.waitUntil),
    /** The reply being written in `chat`, if any. */
    current: (chat: string): Turn | null => current.get(chat) ?? null,
    /** The reply written last in `chat`. */
    last: (chat: string): Turn | null => last.get(chat) ?? null,
    /**
     * Starts a reply to `userMessage` (or, with `continued`, more of that reply);
     * `announce` first sends the user message itself as an event.
     */
    start(
      { hot, character, span }: Ready,
      userMessage: StoredMessage,
      stream: boolean,
      announce: boolean,
      continued?: StoredMessage,
    ): Promise<SendResult> {
      const t = createTurn(deps.conversation.nextId(), userMessage.id);
      current.set(hot.chat, t);
      deps.live.broadcast({ type: "turn", chat: hot.chat, turnId: t.id, userMessageId: userMessage.id });
      if (announce) t.emit({ event: "message", data: { message: toWire(userMessage) } });
      deps.waitUntil(generate(hot, t, userMessage, character, continued, span).catch((err: unknown) => failed(hot.chat, t, err, span)));
      return follow(t, stream);
    },
    follow,
    /** Stops the reply being written in `chat`; what was written is kept. */
    cancel(chat: string): boolean {
      const t = current.get(chat);
      t?.abort.abort();
      return t !== undefined;
    },
    /** A conversation (or, without `chat`, every one) is being deleted: stop and forget. */
    stop(chat?: string): void {
      for (const [c, t] of current) if (chat === undefined || c === chat) t.abort.abort();
      if (chat === undefined) {
        current.clear();
        last.clear();
        calibration.reset();
      } else {
        current.delete(chat);
        last.delete(chat);
      }
    },
  };
}

export type TurnRunner = ReturnType<typeof createTurnRunner>;

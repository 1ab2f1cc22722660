/**
 * Writing one reply: assemble the prompt from the hot window, stream the
 * LLM's tokens into the turn, and store the reply with its final status.
 */
import { type BuiltPrompt, buildPrompt, type PromptSection } from "../context/prompt";
import { type CharacterSnapshot, characterSystemText } from "../context/system-prompt";
import { countTokens, MESSAGE_OVERHEAD, REPLY_PRIMING, truncateToTokens } from "../context/tokens";
import { type ErrorCode, errorStatus, isErrorCode } from "../errors";
import { LlmError, streamCompletion } from "../llm/client";
import type { LlmErrorCode } from "../llm/llm-error";
import type { LlmConfig, LlmUsage } from "../llm/types";
import { logEvent } from "../log";
import type { MessageStatus } from "../shared/wire";
import type { Turn } from "./turn";
import type { StoredMessage } from "./types";
import { type Hot, userIdentity } from "./window";

export interface ReplyOutcome {
  status: MessageStatus;
  content: string;
  /** The error table's answer when the reply did not complete. */
  errorCode?: ErrorCode;
  retryAfter?: number;
  usage?: LlmUsage;
}

/** The character sheet for this conversation, counted once while it does not change. */
export function sheetOf(hot: Hot, character: CharacterSnapshot): { text: string; tokens: number } {
  const user = userIdentity(hot);
  const text = characterSystemText({ character, userName: user.name, persona: user.persona });
  if (hot.system?.text !== text) hot.system = { text, tokens: countTokens(text) };
  return hot.system;
}

/**
 * The longest message, in tokens, that fits the prompt budget together with
 * the whole character sheet (and the chat format's overhead); the other
 * parts of the prompt give way to it.
 */
export function messageLimit(promptBudget: number, sheetTokens: number): number {
  return Math.max(0, promptBudget - sheetTokens - REPLY_PRIMING - 2 * MESSAGE_OVERHEAD);
}

/** The prompt for `userMessage`, from the turns before it in the hot window. */
export function promptFor(
  hot: Hot,
  character: CharacterSnapshot,
  userMessage: StoredMessage,
  budget: number,
  extra: PromptSection[] = [],
): BuiltPrompt {
  const at = hot.window.findIndex((m) => m.id === userMessage.id);
  const history = (at >= 0 ? hot.window.slice(0, at) : hot.window).filter((m) => m.content.length > 0);
  let { text, tokens } = sheetOf(hot, character);
  // The character sheet may not crowd out the user's message.
  const room = messageLimit(budget, 0) - userMessage.tokens - extra.reduce((n, s) => n + s.tokens + 2, 0);
  if (tokens > room) {
    text = truncateToTokens(text, Math.max(0, room));
    tokens = countTokens(text);
  }
  return buildPrompt({
    system: [{ name: "system", text, tokens }, ...extra],
    history,
    newMessage: { id: userMessage.id, role: "user", content: userMessage.content, tokens: userMessage.tokens },
    budget,
  });
}

/** How a stopped reply is stored, by the LLM client's failure code. */
const STATUS: Partial<Record<LlmErrorCode, MessageStatus>> = { cancelled: "cancelled", interrupted: "interrupted" };

/** The error table's answer for an LLM failure. */
export function replyErrorCode(e: LlmError): ErrorCode {
  if (e.code === "cancelled") return "reply_cancelled";
  if (e.code === "interrupted") return "upstream_error";
  if (e.code === "rate_limited")
    return e.upstreamCode && isErrorCode(e.upstreamCode) && errorStatus(e.upstreamCode) === 429 ? e.upstreamCode : "rate_limited";
  return e.code;
}

/** Streams the reply into `turn`, reporting the text so far to `progress` after each token; never throws. */
export async function streamReply(
  cfg: LlmConfig,
  prompt: BuiltPrompt,
  turn: Turn,
  maxTokens: number,
  characterId: string,
  progress: (content: string) => void,
  continueLast = false,
): Promise<ReplyOutcome> {
  let content = "";
  try {
    if (!cfg.baseUrl) throw new LlmError("llm_unavailable", "No LLM is configured (LLM_BASE_URL).");
    const req = { messages: prompt.messages, maxTokens, characterId, continueLast, signal: turn.abort.signal };
    for await (const ev of streamCompletion(cfg, req)) {
      if (ev.type === "token") {
        content += ev.text;
        turn.emit("token", { text: ev.text });
        progress(content);
      } else {
        return { status: "complete", content, usage: ev.usage };
      }
    }
    return { status: "interrupted", content, errorCode: "upstream_error" };
  } catch (err) {
    const e = err instanceof LlmError ? err : new LlmError("upstream_error", "unexpected failure", { cause: err });
    const status = STATUS[e.code] ?? (content ? "interrupted" : "error");
    if (e.code !== "cancelled") logEvent("warn", "llm_failed", { code: e.code, status: e.status, upstreamCode: e.upstreamCode });
    return { status, content, errorCode: replyErrorCode(e), retryAfter: e.retryAfter };
  }
}

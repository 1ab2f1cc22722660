/**
 * Writing one reply: assemble the prompt from the hot window, stream the
 * LLM's tokens into the turn, and store the reply with its final status.
 */
import { type BuiltPrompt, buildPrompt, type PromptSection } from "../context/prompt";
import { type CharacterSnapshot, characterSystemText } from "../context/system-prompt";
import { countTokens, truncateToTokens } from "../context/tokens";
import { isErrorCode } from "../errors";
import { LlmError, streamCompletion } from "../llm/client";
import type { LlmConfig, LlmUsage } from "../llm/types";
import type { MessageStatus } from "../shared/wire";
import type { Hot } from "./hot";
import type { StoredMessage } from "./store";
import type { Turn } from "./turn";

export interface ReplyOutcome {
  status: MessageStatus;
  content: string;
  errorCode?: string;
  retryAfter?: number;
  usage?: LlmUsage;
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
  let text = characterSystemText({ character, userName: hot.profile.displayName, persona: hot.profile.persona });
  if (hot.system?.text !== text) hot.system = { text, tokens: countTokens(text) };
  let tokens = hot.system.tokens;
  // The character sheet may not crowd out the user's message.
  const room = budget - userMessage.tokens - 64 - extra.reduce((n, s) => n + s.tokens, 0);
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

const FAILED: Record<string, MessageStatus> = { cancelled: "cancelled", interrupted: "interrupted" };

/** Streams the reply into `turn`; never throws. */
export async function streamReply(
  cfg: LlmConfig,
  prompt: BuiltPrompt,
  turn: Turn,
  maxTokens: number,
  characterId: string,
): Promise<ReplyOutcome> {
  let content = "";
  try {
    if (!cfg.baseUrl) throw new LlmError("llm_unavailable", "No LLM is configured (LLM_BASE_URL).");
    for await (const ev of streamCompletion(cfg, { messages: prompt.messages, maxTokens, characterId, signal: turn.abort.signal })) {
      if (ev.type === "token") {
        content += ev.text;
        turn.emit("token", { text: ev.text });
      } else {
        return { status: "complete", content, usage: ev.usage };
      }
    }
    return { status: "interrupted", content, errorCode: "upstream_error" };
  } catch (err) {
    const e = err instanceof LlmError ? err : new LlmError("upstream_error", String(err), { cause: err });
    const status = FAILED[e.code] ?? (content ? "interrupted" : "error");
    if (e.code !== "cancelled")
      console.warn(JSON.stringify({ level: "warn", event: "llm_failed", code: e.code, status: e.status, message: e.message }));
    const code =
      e.code === "interrupted"
        ? "upstream_error"
        : e.code === "rate_limited" && e.upstreamCode && isErrorCode(e.upstreamCode)
          ? e.upstreamCode
          : e.code;
    return { status, content, errorCode: code, retryAfter: e.retryAfter };
  }
}

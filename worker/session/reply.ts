/**
 * Writing one reply: stream the LLM's tokens into the turn, and say how it
 * ended in the error table's terms.
 */
import type { BuiltPrompt } from "../context/prompt";
import { type ErrorCode, errorStatus, isErrorCode } from "../errors";
import { LlmError, streamCompletion } from "../llm/client";
import type { LlmErrorCode } from "../llm/llm-error";
import type { LlmConfig, LlmUsage } from "../llm/types";
import { logEvent } from "../log";
import { parseTraceparent } from "../shared/trace-context";
import type { MessageStatus } from "../shared/wire";
import type { Turn } from "./turn";

export interface ReplyOutcome {
  status: MessageStatus;
  content: string;
  /** The error table's answer when the reply did not complete. */
  errorCode?: ErrorCode;
  retryAfter?: number;
  usage?: LlmUsage;
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

/**
 * Streams the reply into `turn`, reporting the text so far and how many
 * upstream chunks it grew by to `progress` after each token event; never throws.
 */
export async function streamReply(
  cfg: LlmConfig,
  prompt: BuiltPrompt,
  turn: Turn,
  maxTokens: number,
  characterId: string,
  progress: (content: string, frames: number) => void,
  continueLast = false,
  traceparent?: string,
): Promise<ReplyOutcome> {
  let content = "";
  try {
    if (!cfg.baseUrl) throw new LlmError("llm_unavailable", "No LLM is configured (LLM_BASE_URL).");
    const req = { messages: prompt.messages, maxTokens, characterId, continueLast, signal: turn.abort.signal, traceparent };
    for await (const ev of streamCompletion(cfg, req)) {
      if (ev.type === "token") {
        content += ev.text;
        turn.emit({ event: "token", data: { text: ev.text } });
        progress(content, ev.frames ?? 1);
      } else {
        return { status: "complete", content, usage: ev.usage };
      }
    }
    return { status: "interrupted", content, errorCode: "upstream_error" };
  } catch (err) {
    const e = err instanceof LlmError ? err : new LlmError("upstream_error", "unexpected failure", { cause: err });
    const status = STATUS[e.code] ?? (content ? "interrupted" : "error");
    if (e.code !== "cancelled") {
      const traceId = parseTraceparent(traceparent)?.traceId;
      logEvent("warn", "llm_failed", { traceId, code: e.code, status: e.status, upstreamCode: e.upstreamCode });
    }
    return { status, content, errorCode: replyErrorCode(e), retryAfter: e.retryAfter };
  }
}

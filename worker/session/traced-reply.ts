/**
 * The upstream call of a turn as the operator sees it: a `chat <model>`
 * span (OpenTelemetry's GenAI attributes: where and which model, never the
 * prompt) with a `first_token` event, around `streamReply`, and one
 * `turn_finished` log line with the trace id, status, tokens and timings.
 */
import type { BuiltPrompt } from "../context/prompt";
import type { LlmConfig } from "../llm/types";
import { logEvent } from "../log";
import type { Span } from "../shared/spans";
import { type ReplyOutcome, streamReply } from "./reply";
import type { Turn } from "./turn";

export interface ReplyCall {
  cfg: LlmConfig;
  prompt: BuiltPrompt;
  turn: Turn;
  maxTokens: number;
  characterId: string;
  progress: (content: string, frames: number) => void;
  continueLast: boolean;
  /** The turn's span in the session object, when traced. */
  span: Span | undefined;
  startedAt: number;
}

export async function tracedReply(c: ReplyCall): Promise<ReplyOutcome> {
  const upstream = c.span?.child(`chat ${c.cfg.model}`, "client", llmSpanAttrs(c.cfg.baseUrl, c.cfg.model, c.maxTokens));
  let firstTokenAt: number | undefined;
  void c.turn.started.then(() => {
    if (!c.turn.sawToken) return;
    firstTokenAt = Date.now();
    upstream?.event("first_token");
  });
  const result = await streamReply(
    c.cfg,
    c.prompt,
    c.turn,
    c.maxTokens,
    c.characterId,
    c.progress,
    c.continueLast,
    upstream?.traceparent(),
  );
  upstream?.set({
    "gen_ai.usage.input_tokens": result.usage?.promptTokens,
    "gen_ai.usage.output_tokens": result.usage?.completionTokens,
    "chat.reply.status": result.status,
    "error.type": result.status === "complete" ? undefined : (result.errorCode ?? result.status),
  });
  if (result.status !== "complete" && result.status !== "cancelled") upstream?.fail(result.errorCode ?? result.status);
  upstream?.end();
  logEvent(result.status === "error" ? "warn" : "info", "turn_finished", {
    traceId: c.span?.context.traceId,
    status: result.status,
    code: result.errorCode,
    model: c.cfg.model,
    promptTokens: result.usage?.promptTokens ?? c.prompt.tokens,
    completionTokens: result.usage?.completionTokens,
    ttftMs: firstTokenAt === undefined ? undefined : firstTokenAt - c.startedAt,
    durationMs: Date.now() - c.startedAt,
  });
  return result;
}

function llmSpanAttrs(baseUrl: string, model: string, maxTokens: number) {
  let host: string | undefined;
  try {
    host = new URL(baseUrl).host;
  } catch {
    host = undefined;
  }
  return { "gen_ai.operation.name": "chat", "gen_ai.request.model": model, "gen_ai.request.max_tokens": maxTokens, "server.address": host };
}

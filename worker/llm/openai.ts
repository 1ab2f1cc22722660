/**
 * The OpenAI chat completions provider: one streaming attempt. Per network
 * chunk it decodes once, parses SSE lines, JSON-parses each `data:` and
 * yields what the read brought as one token event (a reader that fell
 * behind catches up in one step); nothing else runs between the socket and
 * the yielded token.
 */

import { type ChatCompletionRequest, choiceText, DONE, readError, readUsage } from "../shared/openai";
import { createSseParser, type SseEvent } from "../shared/sse";
import { LlmError } from "./llm-error";
import { joinUrl, postJson, readWhole } from "./post";
import type { CompletionRequest, LlmConfig, LlmEvent, LlmUsage } from "./types";

/** What a stream has said so far besides its content. */
export interface ChunkState {
  finishReason?: string;
  usage?: LlmUsage;
}

/**
 * Applies one `data:` payload (a chat.completion.chunk, or a whole
 * chat.completion) to `state` and returns its content text ("" when none).
 * Throws LlmError for an error payload or malformed JSON.
 */
export function applyChunk(data: string, state: ChunkState): string {
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch (cause) {
    throw new LlmError("upstream_error", "upstream sent a malformed chunk", { cause });
  }
  if (typeof chunk !== "object" || chunk === null) throw new LlmError("upstream_error", "upstream sent a malformed chunk");
  const { error, choices } = chunk as { error?: unknown; choices?: unknown };
  if (error !== undefined && error !== null) {
    const code = readError(chunk)?.code;
    throw new LlmError("upstream_error", `upstream reported an error${code ? ` (${code})` : ""}`, { upstreamCode: code });
  }
  const usage = readUsage(chunk);
  if (usage?.promptTokens !== undefined) state.usage = { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens };
  const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
  if (typeof choice !== "object" || choice === null) return "";
  const finish = (choice as { finish_reason?: unknown }).finish_reason;
  if (typeof finish === "string") state.finishReason = finish;
  return choiceText(choice);
}

/** The content of one read's events, joined; a failure after some content comes with it, to be thrown once it is out. */
export interface ReadBatch {
  text: string;
  /** Upstream chunks that carried content. */
  frames: number;
  /** `[DONE]` was among the events. */
  done: boolean;
  failure?: LlmError;
}

/** Applies the events of one read to `state` through {@link applyChunk}, joining their content. */
export function readBatch(events: readonly SseEvent[], state: ChunkState): ReadBatch {
  let text = "";
  let frames = 0;
  let done = false;
  let failure: LlmError | undefined;
  for (const ev of events) {
    if (ev.data === DONE) {
      done = true;
      break;
    }
    let piece: string;
    try {
      piece = applyChunk(ev.data, state);
    } catch (err) {
      failure = err instanceof LlmError ? err : new LlmError("upstream_error", "upstream sent a malformed chunk", { cause: err });
      break;
    }
    if (!piece) continue;
    text += piece;
    frames++;
  }
  return { text, frames, done, failure };
}

/** The request body: streaming, with usage in the stream. */
export function openaiBody(cfg: LlmConfig, req: CompletionRequest): ChatCompletionRequest {
  return {
    model: cfg.model,
    messages: req.messages,
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: req.maxTokens,
    // vLLM's names for "go on from the last assistant message" (others ignore them).
    ...(req.continueLast ? { continue_final_message: true, add_generation_prompt: false } : {}),
  };
}

/**
 * One attempt: yields tokens, then `done` once the stream has given
 * `finish_reason` or `[DONE]`. A stream that ends or breaks before either
 * throws `interrupted`. Errors carry afterTokens=false; the caller fixes that.
 */
export async function* openaiAttempt(
  cfg: LlmConfig,
  req: CompletionRequest,
  headers: Record<string, string>,
  signal: AbortSignal,
): AsyncGenerator<LlmEvent> {
  const res = await postJson(
    joinUrl(cfg.baseUrl, "/chat/completions"),
    openaiBody(cfg, req),
    { accept: "text/event-stream", ...headers },
    signal,
    cfg.sockets,
  );
  const state: ChunkState = {};
  if ((res.headers.get("content-type") ?? "").includes("application/json")) {
    // An upstream that ignored `stream: true`: the whole reply at once.
    const content = applyChunk(await readWhole(res), state);
    if (content) yield { type: "token", text: content };
    yield { type: "done", finishReason: state.finishReason ?? "stop", usage: state.usage };
    return;
  }
  const decoder = new TextDecoder();
  const parser = createSseParser();
  let sawDone = false;
  try {
    while (!sawDone) {
      let bytes: Uint8Array | null;
      try {
        bytes = await res.read();
      } catch (cause) {
        throw new LlmError("interrupted", "upstream stream broke off", { cause });
      }
      if (bytes === null) break;
      // Everything one read brought goes on as one event: a reader that fell behind catches up in one step.
      const batch = readBatch(parser.push(decoder.decode(bytes, { stream: true })), state);
      sawDone = batch.done;
      if (batch.frames > 0) {
        yield { type: "token", text: batch.text, frames: batch.frames };
        // The whole rest of the reply came in the same read: let the runtime send these tokens on
        // before the caller finishes the reply (its storage writes hold what the object sends until they commit).
        if (sawDone || state.finishReason !== undefined) await new Promise((r) => setTimeout(r, 0));
      }
      if (batch.failure) throw batch.failure;
    }
  } finally {
    if (sawDone) res.release();
    else res.cancel();
  }
  if (!sawDone && state.finishReason === undefined) {
    throw new LlmError("interrupted", "upstream stream ended without finish_reason or [DONE]");
  }
  yield { type: "done", finishReason: state.finishReason ?? "stop", usage: state.usage };
}

/**
 * The OpenAI chat completions provider: one streaming attempt. Per network
 * chunk it decodes once, parses SSE lines and JSON-parses each `data:`;
 * nothing else runs between the socket and the yielded token.
 */
import { LlmError } from "./llm-error";
import { joinUrl, postJson } from "./post";
import { createSseParser } from "./sse";
import type { CompletionRequest, LlmConfig, LlmEvent, LlmUsage } from "./types";

/** What a stream has said so far besides its content. */
export interface ChunkState {
  finishReason?: string;
  usage?: LlmUsage;
}

interface CompletionChunk {
  choices?: { delta?: { content?: unknown }; message?: { content?: unknown }; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: unknown;
}

function parseJson(data: string): CompletionChunk {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (cause) {
    throw new LlmError("upstream_error", "upstream sent a malformed chunk", { cause });
  }
  if (typeof parsed !== "object" || parsed === null) {
    throw new LlmError("upstream_error", "upstream sent a malformed chunk");
  }
  const chunk = parsed as CompletionChunk;
  if (chunk.error !== undefined && chunk.error !== null) {
    const err = chunk.error as { code?: unknown; type?: unknown };
    const code = typeof err.code === "string" ? err.code : typeof err.type === "string" ? err.type : undefined;
    throw new LlmError("upstream_error", `upstream reported an error${code ? ` (${code})` : ""}`, { upstreamCode: code });
  }
  return chunk;
}

/**
 * Applies one `data:` payload (a chat.completion.chunk, or a whole
 * chat.completion) to `state` and returns its content text ("" when none).
 * Throws LlmError for an error payload or malformed JSON.
 */
export function applyChunk(data: string, state: ChunkState): string {
  const chunk = parseJson(data);
  const u = chunk.usage;
  if (u && typeof u.prompt_tokens === "number" && typeof u.completion_tokens === "number") {
    state.usage = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
  }
  const choice = chunk.choices?.[0];
  if (!choice) return "";
  if (typeof choice.finish_reason === "string") state.finishReason = choice.finish_reason;
  const content = choice.delta?.content ?? choice.message?.content;
  return typeof content === "string" ? content : "";
}

/** The request body: streaming, with usage in the stream. */
export function openaiBody(cfg: LlmConfig, req: CompletionRequest): Record<string, unknown> {
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
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done);
  } catch {
    /* the connection is gone either way */
  }
}

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
  );
  const state: ChunkState = {};
  if ((res.headers.get("content-type") ?? "").includes("application/json")) {
    // An upstream that ignored `stream: true`: the whole reply at once.
    let text: string;
    try {
      text = await res.text();
    } catch (cause) {
      throw new LlmError("interrupted", "upstream response broke off", { cause });
    }
    const content = applyChunk(text, state);
    if (content) yield { type: "token", text: content };
    yield { type: "done", finishReason: state.finishReason ?? "stop", usage: state.usage };
    return;
  }
  if (!res.body) throw new LlmError("interrupted", "upstream sent no body");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parser = createSseParser();
  let sawDone = false;
  try {
    while (!sawDone) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        throw new LlmError("interrupted", "upstream stream broke off", { cause });
      }
      if (chunk.done) break;
      for (const ev of parser.push(decoder.decode(chunk.value, { stream: true }))) {
        if (ev.data === "[DONE]") {
          sawDone = true;
          break;
        }
        const text = applyChunk(ev.data, state);
        if (text) yield { type: "token", text };
      }
    }
  } finally {
    // After [DONE], read to the end (to the side) so the connection can be reused.
    if (sawDone) void drain(reader);
    if (!sawDone) reader.cancel().catch(() => undefined);
  }
  if (!sawDone && state.finishReason === undefined) {
    throw new LlmError("interrupted", "upstream stream ended without finish_reason or [DONE]");
  }
  yield { type: "done", finishReason: state.finishReason ?? "stop", usage: state.usage };
}

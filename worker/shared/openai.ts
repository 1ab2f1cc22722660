/**
 * The OpenAI chat completions protocol as this project speaks it: the
 * request, the streamed chunks and the whole completion, builders for the
 * servers that send them (the development LLM, the gateway's legacy
 * adapter) and readers for the clients that receive them (the worker's LLM
 * client, the gateway). Pure.
 */
import { sseFrame } from "./sse";

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** `POST /chat/completions` as the worker sends it. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
}

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** What the builders need besides the content: the same on every chunk of one reply. */
export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export interface ChatCompletionChunk extends CompletionMeta {
  object: "chat.completion.chunk";
  choices: { index: number; delta: { role?: "assistant"; content?: string }; finish_reason: string | null }[];
  usage?: OpenAiUsage;
}

export interface ChatCompletion extends CompletionMeta {
  object: "chat.completion";
  choices: { index: number; message: { role: "assistant"; content: string }; finish_reason: string }[];
  usage?: OpenAiUsage;
}

/** The data of the event that ends a stream. */
export const DONE = "[DONE]";
export const DONE_FRAME = sseFrame(DONE);

/** Token counts as both sides of the gateway keep them; `promptTokens` is absent when nobody reported it. */
export interface Usage {
  promptTokens?: number;
  completionTokens: number;
}

export function usageJson(u: Usage): OpenAiUsage {
  const prompt = u.promptTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: u.completionTokens, total_tokens: prompt + u.completionTokens };
}

/** One streamed chunk with one choice. */
export function completionChunk(
  meta: CompletionMeta,
  delta: ChatCompletionChunk["choices"][number]["delta"],
  finishReason: string | null = null,
  usage?: Usage,
): ChatCompletionChunk {
  const chunk: ChatCompletionChunk = {
    ...meta,
    object: "chat.completion.chunk",
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
  if (usage) chunk.usage = usageJson(usage);
  return chunk;
}

/** The chunk with no choices that carries usage (`stream_options.include_usage`). */
export function usageChunk(meta: CompletionMeta, usage: Usage): ChatCompletionChunk {
  return { ...meta, object: "chat.completion.chunk", choices: [], usage: usageJson(usage) };
}

/** A whole (not streamed) completion. */
export function completion(meta: CompletionMeta, content: string, finishReason: string, usage?: Usage): ChatCompletion {
  const whole: ChatCompletion = {
    ...meta,
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finishReason }],
  };
  if (usage) whole.usage = usageJson(usage);
  return whole;
}

/** A chunk as the SSE frame that carries it. */
export function chunkFrame(chunk: ChatCompletionChunk): string {
  return sseFrame(JSON.stringify(chunk));
}

/** The SSE text of a reply that exists whole: one content chunk, the finish, usage and `[DONE]`. */
export function wholeReplyFrames(meta: CompletionMeta, content: string, usage: Usage, finishReason = "stop"): string {
  return (
    chunkFrame(completionChunk(meta, { role: "assistant", content })) +
    chunkFrame(completionChunk(meta, {}, finishReason)) +
    chunkFrame(usageChunk(meta, usage)) +
    DONE_FRAME
  );
}

/** An OpenAI-style error body. */
export function errorJson(code: string, message: string): { error: { code: string; message: string; type: string } } {
  return { error: { code, message, type: code } };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** The `usage` of a parsed chunk or completion, when it carries a completion count. */
export function readUsage(value: unknown): Usage | undefined {
  const usage = isObject(value) ? value.usage : undefined;
  if (!isObject(usage) || typeof usage.completion_tokens !== "number") return undefined;
  const prompt = usage.prompt_tokens;
  return { completionTokens: usage.completion_tokens, promptTokens: typeof prompt === "number" ? prompt : undefined };
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/**
 * The code (`code`, else `type`) and message of a parsed error body: OpenAI's
 * `{error: {…}}` (also an error chunk inside a stream) or vLLM's
 * `{object: "error", …}`. Undefined when the value is no error.
 */
export function readError(value: unknown): { code?: string; message?: string } | undefined {
  if (!isObject(value)) return undefined;
  const error = isObject(value.error) ? value.error : value.object === "error" ? value : undefined;
  if (!error) return undefined;
  return { code: text(error.code) ?? text(error.type), message: text(error.message) };
}

/** The text of the first choice of a parsed chunk (`delta.content`) or completion (`message.content`); "" when none. */
export function choiceText(choice: unknown): string {
  if (!isObject(choice)) return "";
  const part = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : undefined;
  return part && typeof part.content === "string" ? part.content : "";
}

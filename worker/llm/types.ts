/**
 * Types of the LLM client: its configuration, the request it takes and the
 * events it yields. Shared by the providers; nothing here runs.
 */
import type { ChatMessage } from "../shared/openai";
import type { UpstreamSockets } from "./sockets";

/** `openai`: OpenAI chat completions (streaming). `legacy`: the seed's `POST /generate`. */
export type LlmProvider = "openai" | "legacy";

export interface LlmConfig {
  provider: LlmProvider;
  /** e.g. `http://127.0.0.1:8790/v1`; openai → `{baseUrl}/chat/completions`, legacy → `{baseUrl}/generate`. */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer` when set (headers() may override it). */
  apiKey?: string;
  /** Time from the call to the first token; default 20000. */
  firstTokenMs: number;
  /** Longest silence between tokens; default 15000. */
  gapMs: number;
  /** Whole call, retries included; default 120000. */
  totalMs: number;
  /** Retries of a 5xx or connection failure, only before the first token; default 2. */
  maxRetries?: number;
  /** Extra headers, called once for EACH attempt (a fresh signed tunnel token each time). */
  headers?: () => Promise<Record<string, string>>;
  /** The session object's connections: when given, calls go over them instead of fetch() (llm/http1.ts). */
  sockets?: UpstreamSockets;
}

export type { ChatMessage } from "../shared/openai";

export interface CompletionRequest {
  messages: ChatMessage[];
  maxTokens: number;
  characterId: string;
  /** The last message is a partial assistant reply to continue, not a turn to answer. */
  continueLast?: boolean;
  /** The W3C traceparent of the call's span, sent with every attempt so the gateway continues the trace. */
  traceparent?: string;
  /** Aborting it stops the call; the generator then throws code `cancelled`. */
  signal?: AbortSignal;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

/** `token`: new text, possibly several upstream chunks' worth (one network read), `frames` of them (1 when absent). */
export type LlmEvent = { type: "token"; text: string; frames?: number } | { type: "done"; finishReason: string; usage?: LlmUsage };

/**
 * The LLM client's one error type and the table that turns an upstream HTTP
 * answer into it. Pure: no I/O here, so the mapping is tested directly.
 */
import { readError } from "../shared/openai";

export type LlmErrorCode = "upstream_error" | "llm_unavailable" | "upstream_timeout" | "interrupted" | "rate_limited" | "cancelled";

export interface LlmErrorOptions {
  afterTokens?: boolean;
  retryAfter?: number;
  status?: number;
  upstreamCode?: string;
  cause?: unknown;
}

/**
 * A failed completion. `afterTokens` says whether some tokens were already
 * yielded (the reply is partial); `upstreamCode` keeps the upstream's own
 * `{error: {code}}` when it sent one. The message is for logs, not clients.
 */
export class LlmError extends Error {
  code: LlmErrorCode;
  afterTokens: boolean;
  retryAfter?: number;
  status?: number;
  upstreamCode?: string;

  constructor(code: LlmErrorCode, message: string, opts: LlmErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "LlmError";
    this.code = code;
    this.afterTokens = opts.afterTokens ?? false;
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.upstreamCode !== undefined) this.upstreamCode = opts.upstreamCode;
  }
}

/** Worth another attempt: nothing was yielded yet and the failure was the upstream's or the network's. */
export function isRetryable(err: LlmError): boolean {
  if (err.afterTokens) return false;
  if (err.status !== undefined) return err.status >= 500;
  return err.code === "llm_unavailable" || err.code === "interrupted";
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The `code` (or `type`) of an OpenAI- or vLLM-style error body, if any. */
export function upstreamErrorCode(body: string): string | undefined {
  try {
    return readError(JSON.parse(body))?.code;
  } catch {
    return undefined;
  }
}

/**
 * Maps a non-2xx upstream answer: 429 → rate_limited; 502/503 → llm_unavailable;
 * 504 → upstream_timeout; other 5xx and 4xx → upstream_error.
 */
export function errorFromStatus(status: number, body: string, retryAfterHeader: string | null): LlmError {
  const upstreamCode = upstreamErrorCode(body);
  const retryAfter = parseRetryAfter(retryAfterHeader);
  const suffix = upstreamCode ? ` (${upstreamCode})` : "";
  const opts: LlmErrorOptions = { status, retryAfter, upstreamCode };
  if (status === 429) return new LlmError("rate_limited", `upstream rate limited the request${suffix}`, opts);
  if (status === 502 || status === 503) return new LlmError("llm_unavailable", `upstream unavailable: ${status}${suffix}`, opts);
  if (status === 504) return new LlmError("upstream_timeout", `upstream timed out: ${status}${suffix}`, opts);
  return new LlmError("upstream_error", `upstream answered ${status}${suffix}`, opts);
}

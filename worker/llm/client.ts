/**
 * The LLM client, run inside workerd: streams one completion from the
 * configured provider as token events, enforcing the deadlines (first token,
 * gap, total), retrying only before the first token, and turning every
 * failure into an LlmError with a stable code. Only fetch, Web streams and
 * timers; all state lives in the call.
 */

import type { DeadlineKind } from "./deadlines";
import { createDeadlines } from "./deadlines";
import { legacyAttempt } from "./legacy";
import { isRetryable, LlmError } from "./llm-error";
import { openaiAttempt } from "./openai";
import type { CompletionRequest, LlmConfig, LlmEvent } from "./types";

export type { LlmErrorCode } from "./llm-error";
export { LlmError } from "./llm-error";
export type { ChatMessage, CompletionRequest, LlmConfig, LlmEvent, LlmProvider, LlmUsage } from "./types";

/** Defaults of the timing fields of LlmConfig. */
export const LLM_DEFAULTS = { firstTokenMs: 20_000, gapMs: 15_000, totalMs: 120_000, maxRetries: 2 } as const;

const BACKOFF_MS = [100, 300, 900, 2000];

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** The headers of one upstream call: the API key, or a fresh tunnel token and Access headers. */
export async function attemptHeaders(cfg: LlmConfig): Promise<Record<string, string>> {
  const base: Record<string, string> = cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey}` } : {};
  if (!cfg.headers) return base;
  const extra = await cfg.headers();
  // Header names are case-insensitive: an extra Authorization replaces the API key.
  for (const name of Object.keys(extra)) {
    if (name.toLowerCase() === "authorization") delete base.authorization;
  }
  return { ...base, ...extra };
}

/** Whatever was thrown, as the LlmError the caller sees; cancel and deadlines win. */
function toLlmError(err: unknown, afterTokens: boolean, cancelled: boolean, expired: DeadlineKind | null): LlmError {
  if (cancelled) return new LlmError("cancelled", "the completion was cancelled", { afterTokens, cause: err });
  if (expired) {
    const what = expired === "first_token" ? "first token" : expired === "gap" ? "next token" : "whole reply";
    return new LlmError("upstream_timeout", `timed out waiting for the ${what}`, { afterTokens, cause: err });
  }
  if (err instanceof LlmError) {
    err.afterTokens = afterTokens;
    return err;
  }
  return new LlmError("upstream_error", "the LLM call failed", { afterTokens, cause: err });
}

/**
 * Streams one completion: `token` events, then one `done` (with usage when
 * the upstream reports it). Throws LlmError: `cancelled` when `req.signal`
 * aborts, `upstream_timeout` when a deadline passes, `interrupted` when the
 * stream ends without finish_reason/[DONE], `rate_limited` (with retryAfter),
 * `llm_unavailable`, `upstream_error`. `afterTokens` tells whether some
 * tokens were already yielded. Breaking out of the loop aborts the request.
 */
export async function* streamCompletion(cfg: LlmConfig, req: CompletionRequest): AsyncGenerator<LlmEvent> {
  if (req.signal?.aborted) throw new LlmError("cancelled", "the completion was cancelled before it started");
  const ctl = new AbortController();
  const abort = (): void => ctl.abort();
  req.signal?.addEventListener("abort", abort);
  const totalMs = positive(cfg.totalMs, LLM_DEFAULTS.totalMs);
  const deadlines = createDeadlines(
    {
      // A non-streaming upstream's first token is its whole reply: only the total applies.
      firstTokenMs: cfg.provider === "legacy" ? totalMs : positive(cfg.firstTokenMs, LLM_DEFAULTS.firstTokenMs),
      gapMs: positive(cfg.gapMs, LLM_DEFAULTS.gapMs),
      totalMs,
    },
    abort,
  );
  const maxRetries = cfg.maxRetries ?? LLM_DEFAULTS.maxRetries;
  let tokens = 0;
  let finished = false;
  const fail = (err: unknown): LlmError => toLlmError(err, tokens > 0, req.signal?.aborted === true, deadlines.expired);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const headers = await attemptHeaders(cfg);
        if (req.traceparent) headers.traceparent = req.traceparent;
        if (ctl.signal.aborted) throw new Error("aborted");
        const run = cfg.provider === "legacy" ? legacyAttempt : openaiAttempt;
        for await (const ev of run(cfg, req, headers, ctl.signal)) {
          if (ev.type === "token") {
            tokens += ev.frames ?? 1;
            deadlines.token();
          }
          // A consumer that stops at `done` must not abort: the rest of the body is drained so the connection is reused.
          if (ev.type === "done") finished = true;
          deadlines.pause();
          yield ev;
          deadlines.resume();
        }
        finished = true;
        return;
      } catch (err) {
        const error = fail(err);
        if (attempt >= maxRetries || !isRetryable(error)) throw error;
        await wait(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)], ctl.signal);
        // A deadline passing during the pause reports the failure that caused it.
        if (ctl.signal.aborted) throw req.signal?.aborted ? fail(error) : error;
      }
    }
  } finally {
    deadlines.dispose();
    req.signal?.removeEventListener("abort", abort);
    // Aborting a finished response would close a connection worth reusing.
    if (!finished) ctl.abort();
  }
}

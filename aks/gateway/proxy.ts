/**
 * One chat completion through the plan of attempts (pools.ts). Until the
 * first bytes of a reply arrive, a failed, slow or refusing upstream is
 * retried on the next attempt; from then on the upstream body is piped to the
 * client chunk for chunk (no decoding on the way), and a cut, a stall or an
 * overrun ends it with an SSE `error` event instead of a clean end.
 */
import { clearTimeout, setTimeout } from "node:timers";
import { LEGACY_PATH, readLegacyResponse } from "../../worker/shared/legacy";
import { choiceText, readError } from "../../worker/shared/openai";
import { SSE_HEADERS, sseFrame } from "../../worker/shared/sse";
import { estimateTokens } from "../../worker/shared/tokens";
import { errorBody, GatewayError } from "./errors";
import { completionJson, completionSse, legacyUsage, toLegacyRequest } from "./legacy";
import type { Attempt, Pool } from "./pools";
import { createStreamMeter, reportedUsage, type StreamUsage, type Usage } from "./usage";

export interface ChatBody {
  model: string;
  messages: { role: string; content?: unknown }[];
  stream?: boolean;
  [key: string]: unknown;
}

export type Outcome = "complete" | "upstream_interrupted" | "upstream_timeout" | "cancelled";

export interface Completion extends Usage {
  outcome: Outcome;
  /** The attempt that answered. */
  attempt: Attempt;
  /** Upstream calls made, the answering one included. */
  calls: number;
  /** Milliseconds from the start of proxying to the reply's first bytes. */
  ttftMs: number;
}

export interface Proxied {
  response: Response;
  /** Settles when the reply is over, however it ended. */
  done: Promise<Completion>;
}

export interface ProxyDeps {
  fetch: typeof fetch;
  now: () => number;
  /** Told about every attempt that failed before the first token. */
  onAttemptFailed?: (attempt: Attempt, reason: string) => void;
}

type Failure = { kind: "retry"; reason: string } | { kind: "reject"; status: number; message: string };
type Answer = { kind: "answer"; proxied: (calls: number) => Proxied };

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const encoder = new TextEncoder();

/**
 * Runs the attempts in order until one answers. Throws a GatewayError when
 * none does: `upstream_rejected` (the upstream's own 4xx), `upstream_timeout`
 * or `upstream_unavailable`.
 */
export async function proxyChat(body: ChatBody, attempts: Attempt[], signal: AbortSignal, deps: ProxyDeps): Promise<Proxied> {
  const startedAt = deps.now();
  let lastReason = "none";
  for (let i = 0; i < attempts.length && !signal.aborted; i++) {
    const result = await callUpstream(body, attempts[i], signal, startedAt, deps);
    if (result.kind === "answer") return result.proxied(i + 1);
    if (result.kind === "reject") throw new GatewayError("upstream_rejected", { status: result.status, message: result.message });
    lastReason = result.reason;
    deps.onAttemptFailed?.(attempts[i], result.reason);
  }
  throw new GatewayError(lastReason === "timeout" ? "upstream_timeout" : "upstream_unavailable");
}

function upstreamHeaders(pool: Pool, stream: boolean): Record<string, string> {
  // Nothing of the caller's request is forwarded: least of all its tunnel token.
  const headers: Record<string, string> = { "content-type": "application/json", accept: stream ? "text/event-stream" : "application/json" };
  if (pool.apiKey) headers.authorization = `Bearer ${pool.apiKey}`;
  return headers;
}

/** Statuses that are the request's own fault: passed on, not retried. */
const REQUEST_FAULTS = new Set([400, 413, 422]);

async function classify(res: Response): Promise<Failure> {
  const text = await res.text().catch(() => "");
  // Anything else (5xx, 429, or a 401/404 from a misconfigured pool) is the upstream's
  // trouble: try the next attempt, and never let it look like the caller's token failed.
  if (!REQUEST_FAULTS.has(res.status)) return { kind: "retry", reason: `status_${res.status}` };
  let detail = "";
  try {
    const message = readError(JSON.parse(text))?.message;
    if (message) detail = `: ${message.slice(0, 300)}`;
  } catch {
    // not JSON: the status says enough
  }
  return { kind: "reject", status: res.status, message: `The model server rejected the request${detail}` };
}

async function callUpstream(
  body: ChatBody,
  attempt: Attempt,
  signal: AbortSignal,
  startedAt: number,
  deps: ProxyDeps,
): Promise<Answer | Failure> {
  const { pool } = attempt;
  const stream = body.stream === true;
  const legacy = pool.type === "legacy-generate";
  // A whole answer (legacy, or not streamed) must arrive within the total deadline.
  const deadline = stream && !legacy ? pool.timeouts.firstTokenMs : pool.timeouts.totalMs;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, deadline);
  const release = () => {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  };
  try {
    const legacyRequest = legacy ? toLegacyRequest(body) : undefined;
    const upstreamBody = legacyRequest ?? {
      ...body,
      model: attempt.model,
      stream,
      ...(stream ? { stream_options: { ...(body.stream_options as object | undefined), include_usage: true } } : {}),
    };
    const res = await deps.fetch(`${attempt.upstream.url}${legacy ? LEGACY_PATH : "/chat/completions"}`, {
      method: "POST",
      headers: upstreamHeaders(pool, stream && !legacy),
      body: JSON.stringify(upstreamBody),
      signal: controller.signal,
    });
    if (!res.ok || !res.body) {
      const failure = await classify(res);
      release();
      return failure;
    }
    const meta = { id: `chatcmpl-${crypto.randomUUID()}`, created: Math.floor(deps.now() / 1000), model: attempt.model };
    if (legacyRequest) {
      const reply = readLegacyResponse(await res.json());
      if (reply === undefined) throw new Error("legacy upstream answered without a response");
      release();
      const usage = legacyUsage(legacyRequest, reply);
      const text = stream ? completionSse(meta, reply, usage) : completionJson(meta, reply, usage);
      return whole(text, stream, usage, attempt, deps.now() - startedAt);
    }
    if (!stream) {
      const text = await res.text();
      release();
      return whole(text, false, usageOfCompletion(text), attempt, deps.now() - startedAt);
    }
    const reader = res.body.getReader();
    const first = await reader.read();
    if (first.done) throw new Error("empty stream");
    clearTimeout(timer);
    const ttftMs = deps.now() - startedAt;
    return {
      kind: "answer",
      proxied: (calls) => relay({ reader, first: first.value, controller, attempt, calls, ttftMs, startedAt, signal, release, deps }),
    };
  } catch {
    release();
    controller.abort();
    return { kind: "retry", reason: timedOut ? "timeout" : signal.aborted ? "cancelled" : "error" };
  }
}

function usageOfCompletion(text: string): Usage {
  try {
    const json: unknown = JSON.parse(text);
    const reported = reportedUsage(json);
    if (reported) return reported;
    const choices = (json as { choices?: unknown }).choices;
    return { completionTokens: estimateTokens(choiceText(Array.isArray(choices) ? choices[0] : undefined)), estimated: true };
  } catch {
    return { completionTokens: 0, estimated: true };
  }
}

function whole(text: string, stream: boolean, usage: Usage, attempt: Attempt, ttftMs: number): Answer {
  return {
    kind: "answer",
    proxied: (calls) => ({
      response: new Response(text, { status: 200, headers: stream ? SSE_HEADERS : JSON_HEADERS }),
      done: Promise.resolve({ ...usage, outcome: "complete", attempt, calls, ttftMs }),
    }),
  };
}

interface RelayInput {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  first: Uint8Array;
  controller: AbortController;
  attempt: Attempt;
  calls: number;
  ttftMs: number;
  startedAt: number;
  signal: AbortSignal;
  release: () => void;
  deps: ProxyDeps;
}

/** The pass-through: upstream chunks go out as they are; the meter and the deadlines watch from the side. */
function relay(input: RelayInput): Proxied {
  const { reader, controller, attempt, signal } = input;
  const { idleMs, totalMs } = attempt.pool.timeouts;
  const meter = createStreamMeter();
  let stalled = false;
  let finished = false;
  const stop = () => {
    stalled = true;
    controller.abort();
  };
  const idle = setTimeout(stop, idleMs);
  const total = setTimeout(stop, Math.max(1, totalMs - (input.deps.now() - input.startedAt)));
  let settle!: (completion: Completion) => void;
  const done = new Promise<Completion>((resolve) => (settle = resolve));
  const finish = (outcome: Outcome, seen: StreamUsage) => {
    if (finished) return;
    finished = true;
    clearTimeout(idle);
    clearTimeout(total);
    input.release();
    const { done: _clean, events: _events, ...usage } = seen;
    settle({ ...usage, outcome, attempt, calls: input.calls, ttftMs: input.ttftMs });
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(out) {
        meter.observe(input.first);
        out.enqueue(input.first);
      },
      async pull(out) {
        let read: ReadableStreamReadResult<Uint8Array> | undefined;
        try {
          read = await reader.read();
        } catch {
          read = undefined;
        }
        if (finished) return;
        if (read && !read.done) {
          idle.refresh();
          meter.observe(read.value);
          out.enqueue(read.value);
          return;
        }
        const seen = meter.finish();
        // A clean end is the upstream closing after `data: [DONE]`; anything else is a cut.
        const outcome: Outcome = stalled
          ? "upstream_timeout"
          : signal.aborted
            ? "cancelled"
            : read?.done && seen.done
              ? "complete"
              : "upstream_interrupted";
        if (outcome === "upstream_timeout" || outcome === "upstream_interrupted") {
          out.enqueue(encoder.encode(sseFrame(errorBody(outcome), "error")));
        }
        out.close();
        finish(outcome, seen);
      },
      cancel() {
        // The client left: stop the upstream so the GPU stops generating.
        finish("cancelled", meter.finish());
        controller.abort();
        reader.cancel().catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(body, { status: 200, headers: SSE_HEADERS }), done };
}

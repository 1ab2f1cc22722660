/**
 * The concurrency benchmark's client: many streaming requests at once over
 * node:http (a socket each), every path read the same way with the worker's
 * own SSE parser, recording when each frame carrying text arrived. Starts
 * are spread evenly over one pacing interval so the load is steady rather
 * than every stream ticking in phase.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { choiceText, DONE } from "../worker/shared/openai";
import { createSseParser, type SseEvent } from "../worker/shared/sse";
import type { StreamTrace } from "./stream-stats";

/** How to read one path's stream: which events carry text and which one ends a finished reply. */
export interface StreamFormat {
  hasText(ev: SseEvent): boolean;
  isEnd(ev: SseEvent): boolean;
}

/** An OpenAI chat completions stream (the LLM, the pass-throughs). */
export const OPENAI_FORMAT: StreamFormat = {
  hasText(ev) {
    if (ev.data === DONE || ev.event !== undefined) return false;
    const choices = (JSON.parse(ev.data) as { choices?: unknown }).choices;
    return choiceText(Array.isArray(choices) ? choices[0] : undefined).length > 0;
  },
  isEnd: (ev) => ev.data === DONE,
};

/** The service's turn stream: `event: token` frames, then `event: done`. */
export const SERVICE_FORMAT: StreamFormat = {
  hasText: (ev) => ev.event === "token" && (JSON.parse(ev.data) as { text?: unknown }).text !== "",
  isEnd: (ev) => ev.event === "done",
};

export interface StreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

function one(agent: Agent, req: StreamRequest, format: StreamFormat, timeoutMs: number): Promise<StreamTrace> {
  const u = new URL(req.url);
  const payload = Buffer.from(req.body);
  return new Promise<StreamTrace>((resolve) => {
    const t0 = performance.now();
    const trace: StreamTrace = { firstMs: null, arrivals: [], ok: false };
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(trace);
    };
    const out = request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        method: "POST",
        path: u.pathname + u.search,
        headers: { ...req.headers, "content-type": "application/json", "content-length": String(payload.byteLength) },
      },
      (res) => {
        res.setEncoding("utf8");
        const parser = createSseParser();
        const ok = res.statusCode === 200;
        res.on("data", (chunk: string) => {
          const now = performance.now();
          let text = false;
          for (const ev of parser.push(chunk)) {
            if (ok && format.isEnd(ev)) trace.ok = true;
            else if (format.hasText(ev)) text = true;
          }
          if (!text) return;
          trace.firstMs ??= now - t0;
          trace.arrivals.push(now);
        });
        res.on("end", settle);
        res.on("error", settle);
        res.on("close", settle);
      },
    );
    const timer = setTimeout(() => {
      out.destroy();
      settle();
    }, timeoutMs);
    out.on("error", settle);
    out.end(payload);
  });
}

/** Sends the requests, the i-th after `i × spreadMs / n`, and waits for every stream to end. */
export async function streamAll(
  requests: readonly StreamRequest[],
  format: StreamFormat,
  opts: { spreadMs: number; timeoutMs: number },
): Promise<StreamTrace[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const n = requests.length;
  try {
    return await Promise.all(
      requests.map(
        (req, i) =>
          new Promise<StreamTrace>((resolve) => {
            setTimeout(() => resolve(one(agent, req, format, opts.timeoutMs)), (i * opts.spreadMs) / n);
          }),
      ),
    );
  } finally {
    agent.destroy();
  }
}

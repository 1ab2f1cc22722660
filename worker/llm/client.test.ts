import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevLlm, RecordedRequest } from "../../dev/dev-llm";
import { startDevLlm } from "../../dev/dev-llm";
import type { CompletionRequest, LlmConfig, LlmEvent } from "./client";
import { LlmError, streamCompletion } from "./client";

let llm: DevLlm;
let seq = 0;

beforeAll(async () => {
  llm = await startDevLlm({ port: 0, wordDelayMs: 2 });
});
afterAll(async () => {
  await llm.close();
});

function config(over: Partial<LlmConfig> = {}): LlmConfig {
  return { provider: "openai", baseUrl: llm.url, model: "dev-llm", firstTokenMs: 5000, gapMs: 5000, totalMs: 20000, ...over };
}

/** A user message made unique so this test finds its own recorded requests. */
function say(text: string): { nonce: string; req: CompletionRequest } {
  const nonce = `n${++seq}x${Date.now()}`;
  return {
    nonce,
    req: {
      messages: [
        { role: "system", content: "You are Test." },
        { role: "user", content: `${text} ${nonce}` },
      ],
      maxTokens: 256,
      characterId: "char-1",
    },
  };
}

async function collect(cfg: LlmConfig, req: CompletionRequest): Promise<{ events: LlmEvent[]; error?: LlmError }> {
  const events: LlmEvent[] = [];
  try {
    for await (const ev of streamCompletion(cfg, req)) events.push(ev);
    return { events };
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    return { events, error: err };
  }
}

const tokens = (events: LlmEvent[]): string[] => events.flatMap((e) => (e.type === "token" ? [e.text] : []));
/** Upstream chunks with content: a token event carries every chunk one read brought. */
const frames = (events: LlmEvent[]): number => events.reduce((n, e) => n + (e.type === "token" ? (e.frames ?? 1) : 0), 0);

async function received(nonce: string): Promise<RecordedRequest[]> {
  const res = await fetch(`${llm.url}/_debug/requests`);
  const { requests } = (await res.json()) as { requests: RecordedRequest[] };
  return requests.filter((r) => JSON.stringify(r.body).includes(nonce));
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

describe("streamCompletion (openai)", () => {
  it("streams tokens, then done with usage, and sends a streaming request", async () => {
    const { nonce, req } = say("hello there");
    const { events, error } = await collect(config({ apiKey: "sk-test" }), req);
    expect(error).toBeUndefined();
    const text = tokens(events).join("");
    expect(text.startsWith(`[development model] You said: "hello there ${nonce}"`)).toBe(true);
    expect(frames(events)).toBeGreaterThan(5);
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", finishReason: "stop" });
    if (done?.type !== "done") throw new Error("no done");
    expect(done.usage?.completionTokens).toBe(frames(events));
    expect(done.usage?.promptTokens).toBeGreaterThan(0);

    const [sent] = await received(nonce);
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.headers.authorization).toBe("Bearer sk-test");
    expect(sent.body).toMatchObject({
      model: "dev-llm",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 256,
      messages: req.messages,
    });
  });

  it("reports finish_reason length when max_tokens cuts the reply", async () => {
    const { req } = say("short please");
    const { events } = await collect(config(), { ...req, maxTokens: 4 });
    expect(frames(events)).toBe(4);
    expect(events.at(-1)).toMatchObject({ type: "done", finishReason: "length" });
  });

  it("retries a 500 and then fails with upstream_error", async () => {
    const { nonce, req } = say("[[fail:500]]");
    const { events, error } = await collect(config(), req);
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: "upstream_error", status: 500, afterTokens: false, upstreamCode: "server_error" });
    expect(await received(nonce)).toHaveLength(3);
  });

  it("succeeds when a retry gets through, calling headers() for each attempt", async () => {
    const { nonce, req } = say("[[flaky:2]]");
    let calls = 0;
    const headers = async (): Promise<Record<string, string>> => ({ authorization: `Bearer tunnel-${++calls}` });
    const { events, error } = await collect(config({ apiKey: "sk-ignored", headers }), req);
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "done" });
    expect(calls).toBe(3);
    const sent = await received(nonce);
    expect(sent.map((r) => r.headers.authorization)).toEqual(["Bearer tunnel-1", "Bearer tunnel-2", "Bearer tunnel-3"]);
  });

  it("reports the upstream failure, not a timeout, when a deadline passes during the retry pause", async () => {
    const { nonce, req } = say("[[fail:500]]");
    const { error } = await collect(config({ firstTokenMs: 250 }), req);
    expect(error).toMatchObject({ code: "upstream_error", status: 500 });
    // One retry fits before the deadline; a slow machine may not reach it.
    const attempts = (await received(nonce)).length;
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(2);
  });

  it("maps a 503 that outlasts the retries to llm_unavailable", async () => {
    const { nonce, req } = say("[[fail:503]]");
    const { error } = await collect(config({ maxRetries: 1 }), req);
    expect(error).toMatchObject({ code: "llm_unavailable", status: 503, afterTokens: false });
    expect(await received(nonce)).toHaveLength(2);
  });

  it("maps 429 to rate_limited with Retry-After and the upstream code, without retrying", async () => {
    const { nonce, req } = say("[[fail:429:concurrency_limit]] [[retry_after:7]]");
    const { error } = await collect(config(), req);
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryAfter: 7, upstreamCode: "concurrency_limit" });
    expect(await received(nonce)).toHaveLength(1);
  });

  it("does not retry a 4xx", async () => {
    const { nonce, req } = say("[[fail:400]]");
    const { error } = await collect(config(), req);
    expect(error).toMatchObject({ code: "upstream_error", status: 400 });
    expect(await received(nonce)).toHaveLength(1);
  });

  it("throws interrupted with afterTokens when the stream is cut", async () => {
    const { nonce, req } = say("[[cut:3]]");
    const { events, error } = await collect(config(), req);
    expect(frames(events)).toBe(3);
    expect(error).toMatchObject({ code: "interrupted", afterTokens: true });
    expect(await received(nonce)).toHaveLength(1);
  });

  it("retries a stream cut before its first token", async () => {
    const { nonce, req } = say("[[cut:0]]");
    const { events, error } = await collect(config(), req);
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: "interrupted", afterTokens: false });
    expect(await received(nonce)).toHaveLength(3);
  });

  it("times out a stalled stream on the gap deadline", async () => {
    const { req } = say("[[stall:2]]");
    const started = Date.now();
    const { events, error } = await collect(config({ gapMs: 200 }), req);
    expect(frames(events)).toBe(2);
    expect(error).toMatchObject({ code: "upstream_timeout", afterTokens: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("times out when the first token comes too late, without retrying", async () => {
    const { nonce, req } = say("[[delay:1500]]");
    const started = Date.now();
    const { events, error } = await collect(config({ firstTokenMs: 200 }), req);
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: "upstream_timeout", afterTokens: false });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await received(nonce)).toHaveLength(1);
  });

  it("times out on the total deadline even while tokens flow", async () => {
    const { req } = say("[[long:200]] [[gap:10]]");
    const { events, error } = await collect(config({ totalMs: 300 }), req);
    expect(tokens(events).length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: "upstream_timeout", afterTokens: true });
  });

  it("does not count a slow consumer as a gap", async () => {
    const { req } = say("[[long:6]] [[gap:0]]");
    const events: LlmEvent[] = [];
    for await (const ev of streamCompletion(config({ gapMs: 100 }), req)) {
      events.push(ev);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(frames(events)).toBe(6);
    expect(events.at(-1)).toMatchObject({ type: "done" });
  });

  it("throws cancelled when the signal aborts mid-stream", async () => {
    const { req } = say("[[long:100]] [[gap:20]]");
    const ctl = new AbortController();
    const events: LlmEvent[] = [];
    let error: unknown;
    try {
      for await (const ev of streamCompletion(config(), { ...req, signal: ctl.signal })) {
        events.push(ev);
        if (events.length === 2) ctl.abort();
      }
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: "cancelled", afterTokens: true });
    expect(frames(events)).toBeLessThan(10);
  });

  it("throws cancelled when aborted before the first token or before starting", async () => {
    const { req } = say("[[delay:2000]]");
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const started = Date.now();
    const { error } = await collect(config(), { ...req, signal: ctl.signal });
    expect(error).toMatchObject({ code: "cancelled", afterTokens: false });
    expect(Date.now() - started).toBeLessThan(1000);

    const { error: early } = await collect(config(), { ...req, signal: AbortSignal.abort() });
    expect(early).toMatchObject({ code: "cancelled" });
  });

  it("maps connection refused to llm_unavailable after retrying", async () => {
    const port = await unusedPort();
    const { req } = say("anyone there?");
    let calls = 0;
    const headers = async (): Promise<Record<string, string>> => ({ "x-attempt": String(++calls) });
    const { error } = await collect(config({ baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 1, headers }), req);
    expect(error).toMatchObject({ code: "llm_unavailable", afterTokens: false });
    expect(calls).toBe(2);
  });
});

describe("streamCompletion (legacy)", () => {
  it("posts the last user message and yields the whole response as one token", async () => {
    const { nonce, req } = say("legacy hello");
    const { events, error } = await collect(config({ provider: "legacy" }), req);
    expect(error).toBeUndefined();
    expect(events).toHaveLength(2);
    expect(tokens(events)[0]).toMatch(new RegExp(`^\\[development model\\] You said: "legacy hello ${nonce}"`));
    expect(events[1]).toEqual({ type: "done", finishReason: "stop" });
    const [sent] = await received(nonce);
    expect(sent.path).toBe("/v1/generate");
    expect(sent.body).toEqual({ message: `legacy hello ${nonce}`, character_id: "char-1" });
  });

  it("maps legacy failures like the openai ones", async () => {
    const { nonce, req } = say("[[fail:503]]");
    const { error } = await collect(config({ provider: "legacy", maxRetries: 1 }), req);
    expect(error).toMatchObject({ code: "llm_unavailable", status: 503 });
    expect(await received(nonce)).toHaveLength(2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSseParser } from "../worker/shared/sse";
import type { DevLlm, RecordedRequest } from "./dev-llm";
import { DEV_MODEL_PREFIX, devReplyWords, parseKnobs, startDevLlm } from "./dev-llm";

let llm: DevLlm;
let root: string;

beforeAll(async () => {
  llm = await startDevLlm({ port: 0, wordDelayMs: 1 });
  root = llm.url.replace(/\/v1$/, "");
});
afterAll(async () => {
  await llm.close();
});

interface Chunk {
  id: string;
  object: string;
  choices: { index: number; delta: { content?: string; role?: string }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function chatBody(content: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model: "m",
    messages: [
      { role: "system", content: "sys" },
      { role: "user", content },
    ],
    ...extra,
  });
}

function post(path: string, body: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${root}${path}`, { method: "POST", body, headers: { "content-type": "application/json" }, ...init });
}

/** Reads an SSE response to its end: the data payloads, in order. */
async function readStream(res: Response): Promise<{ data: string[]; broke: boolean }> {
  const parser = createSseParser();
  const data: string[] = [];
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { data, broke: false };
      for (const ev of parser.push(decoder.decode(value, { stream: true }))) data.push(ev.data);
    }
  } catch {
    return { data, broke: true };
  }
}

const contentOf = (data: string[]): string[] =>
  data
    .filter((d) => d !== "[DONE]")
    .flatMap((d) => {
      const c = (JSON.parse(d) as Chunk).choices[0]?.delta.content;
      return c ? [c] : [];
    });

describe("parseKnobs and devReplyWords", () => {
  it("reads knobs and ignores junk", () => {
    expect(parseKnobs("hi [[delay:50]] [[fail:429:quota]] [[retry-after:3]] [[cut:x]] [[nope:1]] [[long:9]]")).toEqual({
      delay: 50,
      fail: 429,
      failCode: "quota",
      retryAfter: 3,
      long: 9,
    });
    expect(parseKnobs("[[flaky:2:500]] [[stall:4]] [[gap:0]]")).toEqual({ flaky: 2, flakyStatus: 500, stall: 4, gap: 0 });
  });

  it("is a pure function that always names the development model", () => {
    const a = devReplyWords("Hello   there [[gap:5]] friend");
    expect(a).toEqual(devReplyWords("Hello   there [[gap:5]] friend"));
    expect(a.join(" ")).toMatch(/^\[development model\] You said: "Hello there friend" \(3 words\)\. I am the built-in development model/);
    const long = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");
    expect(devReplyWords(long).join(" ")).toContain('"w0 w1 w2');
    expect(devReplyWords(long).join(" ")).toContain('w29 …" (40 words)');
    expect(devReplyWords("x", { long: 7 })).toHaveLength(7);
    expect(devReplyWords("x", { long: 7 }).slice(0, 2).join(" ")).toBe(DEV_MODEL_PREFIX);
  });
});

describe("dev LLM server", () => {
  it("answers non-streaming on both paths, deterministically, with usage", async () => {
    const answers = await Promise.all(
      ["/v1/chat/completions", "/chat/completions"].map(async (path) => {
        const res = await post(path, chatBody("Tell me a story"));
        expect(res.status).toBe(200);
        return (await res.json()) as {
          object: string;
          model: string;
          choices: { message: { role: string; content: string }; finish_reason: string }[];
          usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
        };
      }),
    );
    const [a, b] = answers;
    expect(a.object).toBe("chat.completion");
    expect(a.model).toBe("m");
    expect(a.choices[0].message).toEqual({ role: "assistant", content: devReplyWords("Tell me a story").join(" ") });
    expect(a.choices[0].finish_reason).toBe("stop");
    expect(b.choices).toEqual(a.choices);
    expect(a.usage.total_tokens).toBe(a.usage.prompt_tokens + a.usage.completion_tokens);
  });

  it("streams word by word, then finish_reason, usage and [DONE]", async () => {
    const res = await post("/v1/chat/completions", chatBody("Stream it", { stream: true, stream_options: { include_usage: true } }));
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { data, broke } = await readStream(res);
    expect(broke).toBe(false);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id)).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    const words = devReplyWords("Stream it");
    expect(contentOf(data)).toEqual(words.map((w, i) => (i < words.length - 1 ? `${w} ` : w)));
    const last = chunks.at(-1)!;
    expect(last.choices[0].finish_reason).toBe("stop");
    expect(last.usage).toMatchObject({ completion_tokens: words.length });
    expect(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true);
  });

  it("honours max_tokens with finish_reason length", async () => {
    const res = await post("/v1/chat/completions", chatBody("anything", { stream: true, max_tokens: 3 }));
    const { data } = await readStream(res);
    expect(contentOf(data)).toHaveLength(3);
    expect((JSON.parse(data.at(-2)!) as Chunk).choices[0].finish_reason).toBe("length");
  });

  it("serves models, healthz and the legacy /generate", async () => {
    expect(await (await fetch(`${llm.url}/models`)).json()).toMatchObject({ object: "list", data: [{ id: "dev-llm" }] });
    expect((await fetch(`${root}/healthz`)).status).toBe(200);
    for (const path of ["/generate", "/v1/generate"]) {
      const res = await post(path, JSON.stringify({ message: "Legacy hi", character_id: "c1" }));
      expect(await res.json()).toEqual({ response: devReplyWords("Legacy hi").join(" ") });
    }
  });

  it("rejects bad bodies and unknown routes", async () => {
    expect((await post("/v1/chat/completions", "{oops")).status).toBe(400);
    expect((await post("/v1/chat/completions", JSON.stringify({ messages: [] }))).status).toBe(400);
    expect((await post("/generate", JSON.stringify({ msg: 1 }))).status).toBe(400);
    expect((await fetch(`${root}/nope`)).status).toBe(404);
  });
});

describe("dev LLM knobs", () => {
  it("[[fail:STATUS]] answers that status with an OpenAI error body", async () => {
    const res = await post("/v1/chat/completions", chatBody("[[fail:429]]", { stream: true }));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({ error: { code: "rate_limit_exceeded" } });
    const legacy = await post("/generate", JSON.stringify({ message: "[[fail:500]]", character_id: "c" }));
    expect(legacy.status).toBe(500);
  });

  it("[[flaky:N]] fails the first N identical requests", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post("/v1/chat/completions", chatBody("[[flaky:2]] flaky-one"))).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it("[[delay:MS]] holds the first token back", async () => {
    const started = Date.now();
    const res = await post("/v1/chat/completions", chatBody("[[delay:150]]", { stream: true }));
    const { data } = await readStream(res);
    expect(data.at(-1)).toBe("[DONE]");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("[[gap:MS]] and [[long:N]] set the pace and the length", async () => {
    const started = Date.now();
    const { data } = await readStream(await post("/v1/chat/completions", chatBody("[[long:6]] [[gap:40]]", { stream: true })));
    expect(contentOf(data)).toHaveLength(6);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 40 - 10);
  });

  it("[[cut:N]] drops the connection after N words, without finish or [DONE]", async () => {
    const { data, broke } = await readStream(await post("/v1/chat/completions", chatBody("[[cut:4]]", { stream: true })));
    expect(broke).toBe(true);
    expect(contentOf(data)).toHaveLength(4);
    expect(data).not.toContain("[DONE]");
  });

  it("[[stall:N]] stops after N words and keeps the connection open", async () => {
    const ctl = new AbortController();
    const res = await post("/v1/chat/completions", chatBody("[[stall:2]]", { stream: true }), { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 300);
    const started = Date.now();
    const { data, broke } = await readStream(res);
    expect(broke).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(contentOf(data)).toHaveLength(2);
  });

  it("[[hold:MS]] sends nothing at all, not even headers, for that long", async () => {
    const started = Date.now();
    const res = await post("/v1/chat/completions", chatBody("[[hold:150]]", { stream: true }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await readStream(res)).data.at(-1)).toBe("[DONE]");
  });

  it("[[empty:1]] answers a stream with headers and no events", async () => {
    const res = await post("/v1/chat/completions", chatBody("[[empty:1]]", { stream: true }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("reads knobs from the x-dev-llm-knobs header too", async () => {
    const res = await post("/v1/chat/completions", chatBody("plain"), {
      headers: { "content-type": "application/json", "x-dev-llm-knobs": "[[fail:502]]" },
    });
    expect(res.status).toBe(502);
  });
});

describe("a dev LLM started with knobs", () => {
  it("applies them to every request, before the request's own", async () => {
    const down = await startDevLlm({ knobs: "[[fail:503]]" });
    try {
      const res = await fetch(`${down.url}/chat/completions`, { method: "POST", body: chatBody("hello") });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: "service_unavailable" } });
      const legacy = await fetch(`${down.url.replace(/\/v1$/, "")}/generate`, { method: "POST", body: JSON.stringify({ message: "hi" }) });
      expect(legacy.status).toBe(503);
      const overridden = await fetch(`${down.url}/chat/completions`, { method: "POST", body: chatBody("[[fail:429]]") });
      expect(overridden.status).toBe(429);
      expect(down.requests().map((r) => r.path)).toEqual(["/v1/chat/completions", "/generate", "/v1/chat/completions"]);
    } finally {
      await down.close();
    }
  });
});

describe("dev LLM request log", () => {
  it("marks a request whose caller hung up before the answer ended, and not one it cut itself", async () => {
    await fetch(`${root}/_debug/requests`, { method: "DELETE" });
    const ctl = new AbortController();
    const res = await post("/v1/chat/completions", chatBody("[[stall:1]] left", { stream: true }), { signal: ctl.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ctl.abort();
    await readStream(await post("/v1/chat/completions", chatBody("[[cut:1]] cut", { stream: true })));
    await readStream(await post("/v1/chat/completions", chatBody("whole", { stream: true })));
    await expect.poll(() => llm.requests().map((r) => r.aborted)).toEqual([true, false, false]);
  });

  it("records prompts and headers, and clears them", async () => {
    await fetch(`${root}/_debug/requests`, { method: "DELETE" });
    await post("/v1/chat/completions", chatBody("remember-me"), {
      headers: { "content-type": "application/json", authorization: "Bearer abc" },
    });
    const log = (await (await fetch(`${llm.url}/_debug/requests`)).json()) as { count: number; requests: RecordedRequest[] };
    expect(log.count).toBe(1);
    expect(log.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer abc" },
      body: {
        messages: [
          { role: "system", content: "sys" },
          { role: "user", content: "remember-me" },
        ],
      },
    });
    await fetch(`${root}/_debug/requests`, { method: "DELETE" });
    expect(await (await fetch(`${root}/_debug/requests`)).json()).toMatchObject({ count: 0, requests: [] });
  });
});

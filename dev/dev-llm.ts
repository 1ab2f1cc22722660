/**
 * The built-in development LLM: a deterministic stand-in that speaks the
 * OpenAI chat completions protocol (streaming and not), plus the seed's
 * legacy `POST /generate`. The reply is a pure function of the request, so
 * tests can assert on it; `[[knob:value]]` markers (dev-reply.ts) in the last
 * user message (or the `x-dev-llm-knobs` header) make one request slow, fail,
 * cut, stall or go silent, so one server serves every test at once; a server
 * started with `knobs` always misbehaves so (a stand-in upstream that is down).
 * It is the one fake OpenAI server: the worker's tests and the gateway's use
 * it. `/_debug/requests` shows what prompts arrived (`?after=SEQ`: only the
 * newer ones) and which callers hung up; `/_debug/script` switches a server to
 * replaying scripted replies (dev/dev-llm-script.ts). Run directly:
 * `tsx dev/dev-llm.ts` (DEV_LLM_PORT, 8790).
 */

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { countTokens } from "gpt-tokenizer";
import { LEGACY_PATH, type LegacyResponse, lastUserText, readLegacyRequest } from "../worker/shared/legacy";
import { chunkFrame, completion, completionChunk, DONE_FRAME, errorJson } from "../worker/shared/openai";
import { SSE_HEADERS } from "../worker/shared/sse";
import { promptTokens } from "../worker/shared/tokens";
import { createScript, parseScript, scriptPieces } from "./dev-llm-script";
import { type DevKnobs, devReplyPieces, devReplyWords, parseKnobs } from "./dev-reply";

export { DEV_MODEL_PREFIX, type DevKnobs, devReplyPieces, devReplyWords, parseKnobs } from "./dev-reply";

/** Options of {@link startDevLlm}. */
export interface DevLlmOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Pause between streamed words; default 15 ms. `[[gap:MS]]` overrides per request. */
  wordDelayMs?: number;
  /** Knob markers applied to every request before its own (e.g. `[[fail:503]]`: an upstream that is down). */
  knobs?: string;
}

/** A running development LLM. */
export interface DevLlm {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:40123/v1`. */
  url: string;
  /** What `GET /_debug/requests` shows, oldest first, read in process. */
  requests(): readonly RecordedRequest[];
  close(): Promise<void>;
}

/** One recorded request, as `GET /_debug/requests` returns it. */
export interface RecordedRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The client went away before the answer ended (not the server's own `cut`). */
  aborted: boolean;
  /** Which TCP connection carried it (numbered as they arrive): a client that reuses connections repeats numbers. */
  connection: number;
}

interface ChatMessage {
  role: string;
  content: string;
}

const DEV_MODEL_ID = "dev-llm";
const RECORD_LIMIT = 500;
const BODY_LIMIT = 4 * 1024 * 1024;

function parseMessages(body: unknown): ChatMessage[] | null {
  if (typeof body !== "object" || body === null) return null;
  const raw = (body as { messages?: unknown }).messages;
  if (!Array.isArray(raw) || raw.length === 0) return null;
  const out: ChatMessage[] = [];
  for (const m of raw as unknown[]) {
    if (typeof m !== "object" || m === null) return null;
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (typeof role !== "string" || typeof content !== "string") return null;
    out.push({ role, content });
  }
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, errorJson(code, message), headers);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (part: Buffer) => {
      size += part.length;
      if (size > BODY_LIMIT) reject(new Error("body too large"));
      else parts.push(part);
    });
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Starts the development LLM.
 * Routes (with or without the `/v1` prefix): `POST /chat/completions`,
 * `GET /models`, `POST /generate`, `GET /healthz`, `GET|DELETE /_debug/requests`,
 * `POST|DELETE /_debug/script`.
 */
export async function startDevLlm(opts: DevLlmOptions = {}): Promise<DevLlm> {
  const host = opts.host ?? "127.0.0.1";
  const defaultGap = opts.wordDelayMs ?? 15;
  const stopping = new AbortController();
  const recorded: RecordedRequest[] = [];
  const connections = new WeakMap<Socket, number>();
  let opened = 0;
  const flakyCounts = new Map<string, number>();
  const script = createScript();
  let seq = 0;
  let completionSeq = 0;

  const sleep = (ms: number): Promise<void> =>
    ms <= 0 || stopping.signal.aborted
      ? Promise.resolve()
      : new Promise((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            stopping.signal.removeEventListener("abort", done);
            resolve();
          };
          const timer = setTimeout(done, ms);
          stopping.signal.addEventListener("abort", done, { once: true });
        });

  /**
   * Answers a knob-requested failure (after any `delay`), if there is one;
   * returns true when it did. `flaky:N` fails the first N requests that
   * carry the same last user message.
   */
  const failIfAsked = async (res: ServerResponse, knobs: DevKnobs, key: string): Promise<boolean> => {
    let status = knobs.fail;
    if (status === undefined && knobs.flaky !== undefined) {
      const seen = flakyCounts.get(key) ?? 0;
      if (flakyCounts.size >= 10_000) flakyCounts.clear();
      flakyCounts.set(key, seen + 1);
      if (seen < knobs.flaky) status = knobs.flakyStatus ?? 503;
    }
    if (status === undefined) return false;
    const code =
      knobs.failCode ??
      (status === 429
        ? "rate_limit_exceeded"
        : status === 503
          ? "service_unavailable"
          : status >= 500
            ? "server_error"
            : "invalid_request_error");
    const headers: Record<string, string> = {};
    if (status === 429 || knobs.retryAfter !== undefined) headers["retry-after"] = String(knobs.retryAfter ?? 1);
    await sleep(knobs.delay ?? 0);
    sendError(res, status, code, `development model failing on request (status ${status})`, headers);
    return true;
  };

  /** Responses this server cut itself (`cut`), so their close is no client going away. */
  const cutOff = new WeakSet<ServerResponse>();
  const gone = (res: ServerResponse): boolean => res.destroyed || res.writableEnded;

  /** `cut` closes the socket, `stall` leaves it open; returns true when the reply must stop. */
  const stopAt = (res: ServerResponse, knobs: DevKnobs, sent: number): boolean => {
    if (knobs.cut !== undefined && sent >= knobs.cut) {
      cutOff.add(res);
      // end() flushes the words already written before the connection drops mid-body.
      const socket = res.socket;
      socket?.end(() => socket.destroy());
      return true;
    }
    return knobs.stall !== undefined && sent >= knobs.stall;
  };

  /** The request's knobs: the server's own first, then the message's and the header's, which win. */
  const knobsOf = (req: IncomingMessage, text: string): DevKnobs =>
    parseKnobs(`${opts.knobs ?? ""} ${text} ${String(req.headers["x-dev-llm-knobs"] ?? "")}`);

  const chat = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const messages = parseMessages(body);
    if (!messages) return sendError(res, 400, "invalid_request_error", "messages must be a non-empty array of {role, content}");
    const b = body as { model?: unknown; stream?: unknown; max_tokens?: unknown; max_completion_tokens?: unknown };
    const lastUser = lastUserText(messages);
    // A scripted reply is data, not commands: no knobs, no usage, no cut at max_tokens.
    const scripted = script.active ? script.take(lastUser) : null;
    const knobs = scripted === null ? knobsOf(req, lastUser) : {};
    await sleep(knobs.hold ?? 0);
    if (gone(res) || (await failIfAsked(res, knobs, lastUser))) return;

    const max = Number(b.max_tokens ?? b.max_completion_tokens);
    let words = scripted === null ? devReplyWords(lastUser, knobs) : scriptPieces(scripted);
    let finish = "stop";
    if (scripted === null && Number.isInteger(max) && max > 0 && words.length > max) {
      words = words.slice(0, max);
      finish = "length";
    }
    const usage = scripted === null ? { promptTokens: promptTokens(messages, countTokens), completionTokens: words.length } : undefined;
    const meta = {
      id: `chatcmpl-dev-${++completionSeq}`,
      created: Math.floor(Date.now() / 1000),
      model: typeof b.model === "string" && b.model ? b.model : DEV_MODEL_ID,
    };
    // Streamed pieces join back to the reply: words with a space between, or the script's own whitespace.
    const pieces = scripted === null ? devReplyPieces(words) : words;

    if (!b.stream) {
      await sleep(knobs.delay ?? 0);
      if (stopAt(res, knobs, 0)) return;
      return sendJson(res, 200, completion(meta, pieces.join(""), finish, usage));
    }

    res.writeHead(200, { ...SSE_HEADERS, connection: "keep-alive" });
    res.flushHeaders();
    if (knobs.empty) {
      res.end();
      return;
    }
    res.write(chunkFrame(completionChunk(meta, { role: "assistant", content: "" })));
    await sleep(knobs.delay ?? 0);
    const gap = knobs.gap ?? defaultGap;
    for (let i = 0; i < pieces.length; i++) {
      if (gone(res) || stopAt(res, knobs, i)) return;
      if (i > 0) await sleep(gap);
      if (gone(res)) return;
      res.write(chunkFrame(completionChunk(meta, { content: pieces[i] })));
    }
    if (stopAt(res, knobs, pieces.length) || gone(res)) return;
    res.write(chunkFrame(completionChunk(meta, {}, finish, usage)));
    res.end(DONE_FRAME);
  };

  const generate = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const request = readLegacyRequest(body);
    if (!request) return sendError(res, 400, "invalid_request_error", "message must be a string");
    const knobs = knobsOf(req, request.message);
    await sleep(knobs.hold ?? 0);
    if (gone(res) || (await failIfAsked(res, knobs, request.message))) return;
    await sleep(knobs.delay ?? 0);
    if (stopAt(res, knobs, 0)) return;
    const answer: LegacyResponse = { response: devReplyWords(request.message, knobs).join(" ") };
    sendJson(res, 200, answer);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://dev-llm");
    const path = url.pathname.replace(/^\/v1(?=\/)/, "").replace(/\/+$/, "") || "/";
    const route = `${req.method} ${path}`;
    if (route === "GET /healthz") return sendJson(res, 200, { ok: true, model: DEV_MODEL_ID });
    if (route === "GET /models") {
      return sendJson(res, 200, { object: "list", data: [{ id: DEV_MODEL_ID, object: "model", created: 0, owned_by: "development" }] });
    }
    if (route === "GET /_debug/requests") {
      const after = Number(url.searchParams.get("after") ?? 0) || 0;
      const requests = after > 0 ? recorded.filter((r) => r.seq > after) : recorded;
      return sendJson(res, 200, { count: requests.length, total: seq, requests });
    }
    if (route === "POST /_debug/script") {
      const replies = parseScript(
        await readBody(req)
          .then((t) => JSON.parse(t) as unknown)
          .catch(() => null),
      );
      if (!replies) return sendError(res, 400, "invalid_request_error", "body must be {replies: [{lastUser, reply}]}");
      return sendJson(res, 200, { pending: script.add(replies) });
    }
    if (route === "DELETE /_debug/script") {
      script.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (route === "DELETE /_debug/requests") {
      recorded.length = 0;
      flakyCounts.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (route !== "POST /chat/completions" && route !== `POST ${LEGACY_PATH}`) {
      return sendError(res, 404, "not_found", `no route ${route}`);
    }
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const entry: RecordedRequest = {
      seq: ++seq,
      at: new Date().toISOString(),
      method: req.method ?? "",
      path: url.pathname,
      headers: req.headers,
      body,
      aborted: false,
      connection: connections.get(req.socket) ?? 0,
    };
    recorded.push(entry);
    if (recorded.length > RECORD_LIMIT) recorded.splice(0, recorded.length - RECORD_LIMIT);
    res.once("close", () => {
      if (!res.writableFinished && !cutOff.has(res) && !stopping.signal.aborted) entry.aborted = true;
    });
    if (typeof body === "string") return sendError(res, 400, "invalid_request_error", "body must be JSON");
    return path === LEGACY_PATH ? generate(req, res, body) : chat(req, res, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, "server_error", "development model failed");
      else res.destroy();
    });
  });
  server.on("connection", (socket) => connections.set(socket, ++opened));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (opts.port ?? 0);
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/v1`,
    requests: () => recorded,
    close: () =>
      new Promise<void>((resolve) => {
        stopping.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const llm = await startDevLlm({
    port: Number(process.env.DEV_LLM_PORT ?? 8790),
    host: process.env.DEV_LLM_HOST,
    wordDelayMs: process.env.DEV_LLM_WORD_DELAY_MS ? Number(process.env.DEV_LLM_WORD_DELAY_MS) : undefined,
  });
  console.log(`development LLM listening on ${llm.url} (deterministic stand-in, not a real model)`);
  const stop = (): void => void llm.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

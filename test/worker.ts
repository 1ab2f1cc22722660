/**
 * Test helpers: the real worker in workerd (miniflare) against the run's
 * PostgreSQL, Redis and development LLM, and a small client for its API.
 */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { type Stack, type StackOptions, startStack } from "../dev/stack";
import { SUMMARY_SYSTEM } from "../worker/session/summarise";
import { createSseParser } from "../worker/shared/sse";
import { readTurnEvent } from "../worker/shared/turn-events";

export const AUTH_SECRET = randomBytes(32).toString("base64url");
/** The operator token that shows /readyz's details. */
export const OPS_TOKEN = randomBytes(24).toString("base64url");

export async function startWorker(over: Partial<StackOptions> & { env?: Record<string, string> } = {}): Promise<Stack> {
  return startStack({
    databaseUrl: inject("databaseUrl"),
    redisUrl: inject("redisUrl"),
    llmBaseUrl: inject("llmBaseUrl"),
    ...over,
    // Each test file registers many users from one local address; the registration limit has its own test.
    env: { AUTH_SECRET, OPS_TOKEN, DEV_LLM: "1", LLM_MODEL: "development", REGISTER_LIMIT: "100000", ...over.env },
  });
}

export const unique = (prefix = "u") => `${prefix}${randomBytes(5).toString("hex")}`;

export interface Session {
  token: string;
  userId: string;
  cookie: string;
  username: string;
}

/** A client bound to one base URL; `as` adds a user's bearer token. */
/** The password every account made by `client().register` has. */
export const PASSWORD = "correct horse battery";

export function client(base: string) {
  async function call(path: string, init: RequestInit & { json?: unknown; as?: Session } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    if (init.as) headers.set("authorization", `Bearer ${init.as.token}`);
    return fetch(base + path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  }
  async function register(name = unique()): Promise<Session> {
    const res = await call("/api/auth/register", {
      method: "POST",
      json: { username: name, email: `${name}@example.test`, password: PASSWORD },
    });
    if (res.status !== 201) throw new Error(`register ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { accessToken: string; user: { id: string } };
    return { token: body.accessToken, userId: body.user.id, cookie: (res.headers.get("set-cookie") ?? "").split(";")[0], username: name };
  }
  async function character(as: Session, fields: Record<string, unknown> = {}): Promise<{ id: string; name: string; greeting: string }> {
    const res = await call("/api/characters", {
      method: "POST",
      as,
      json: { name: unique("Char "), description: "A test character.", greeting: "Hello there!", visibility: "private", ...fields },
    });
    if (res.status !== 201) throw new Error(`character ${res.status} ${await res.text()}`);
    return ((await res.json()) as { character: { id: string; name: string; greeting: string } }).character;
  }
  /** One turn with a JSON answer. */
  async function say(as: Session, characterId: string, content: string, clientMessageId?: string) {
    const res = await call(`/api/chats/${characterId}/messages`, {
      method: "POST",
      as,
      headers: { accept: "application/json" },
      json: { content, clientMessageId },
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read any response shape and assert on it
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }
  return { call, register, character, say };
}

/**
 * Parses a turn's SSE body with the shared parser, checking every frame against
 * the wire contract (shared/turn-events.ts): a frame that is no turn event, or
 * an error code outside the table, fails the test.
 */
// biome-ignore lint/suspicious/noExplicitAny: tests read any event shape and assert on it
type AnyData = any;
export function parseSse(text: string): { id?: string; event: string; data: AnyData }[] {
  const parser = createSseParser();
  return [...parser.push(text), ...parser.flush()].map((e) => {
    const turn = readTurnEvent(e);
    if (!turn) throw new Error(`not a turn event: ${e.event} ${e.data}`);
    const data: AnyData = JSON.parse(e.data);
    if (turn.event === "error" && turn.data.code !== data.code) throw new Error(`an error code outside the table: ${data.code}`);
    return { id: e.id, event: turn.event, data };
  });
}

/** A sign-in, optionally claiming a client address in `CF-Connecting-IP`. */
export const loginAt = (a: ReturnType<typeof client>, login: string, password: string, address?: string) =>
  a.call("/api/auth/login", { method: "POST", json: { login, password }, headers: address ? { "cf-connecting-ip": address } : {} });

export interface Prompt {
  messages: { role: string; content: string }[];
  headers: Record<string, string | string[] | undefined>;
}

/** The summarisation requests the development LLM received that mention `marker`. */
export async function summaryRequestsWith(marker: string): Promise<Prompt[]> {
  const res = await fetch(`${inject("llmBaseUrl")}/_debug/requests`);
  const body = (await res.json()) as { requests: { path: string; headers: Prompt["headers"]; body: { messages?: Prompt["messages"] } }[] };
  return body.requests
    .filter((r) => r.body?.messages?.[0]?.content.startsWith(SUMMARY_SYSTEM) && JSON.stringify(r.body.messages).includes(marker))
    .map((r) => ({ messages: r.body.messages!, headers: r.headers }));
}

/** The chat prompts (not summaries) the development LLM received whose last user message contains `marker` (post-history instructions may follow it). */
export async function promptsWith(marker: string): Promise<Prompt[]> {
  const res = await fetch(`${inject("llmBaseUrl")}/_debug/requests`);
  const body = (await res.json()) as { requests: { path: string; headers: Prompt["headers"]; body: { messages?: Prompt["messages"] } }[] };
  return body.requests
    .filter(
      (r) =>
        r.path.endsWith("/chat/completions") &&
        [...(r.body?.messages ?? [])]
          .reverse()
          .find((m) => m.role === "user")
          ?.content.includes(marker),
    )
    .filter((r) => !r.body.messages![0].content.startsWith(SUMMARY_SYSTEM))
    .map((r) => ({ messages: r.body.messages!, headers: r.headers }));
}

/** Polls `fn` until it returns a truthy value (rows reach PostgreSQL through an outbox). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

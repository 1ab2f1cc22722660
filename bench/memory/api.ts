/**
 * The service's public HTTP API as the memory benchmark uses it: an
 * account with a display name, a private character, turns (JSON for the
 * replay, SSE timed to the first token for questions) and rewind. Nothing
 * here knows how the service builds its prompts.
 */
import { randomBytes } from "node:crypto";
import { createSseParser } from "../../worker/shared/sse";
import { serviceFirstToken } from "../first-token";
import { send } from "../http-client";

/** One (user, character) conversation, reachable on any stack that shares the database and AUTH_SECRET. */
export interface Pair {
  userId: string;
  characterId: string;
  username: string;
  password: string;
  token: string;
  tokenAt: number;
}

/** Access tokens live 15 minutes; log in again well before. */
const TOKEN_MAX_AGE_MS = 10 * 60_000;

/** One call; a 503 (the database out of connections on a shared machine) is waited out as its Retry-After asks, a few times. */
async function call<T>(base: string, method: string, path: string, body: unknown, token?: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const res = await send(method, base + path, {
      headers: { "content-type": "application/json", accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (res.status === 503 && attempt < 6) {
      await new Promise((r) => setTimeout(r, 2_000 * attempt));
      continue;
    }
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as T;
  }
}

async function token(base: string, pair: Pair): Promise<string> {
  if (Date.now() - pair.tokenAt > TOKEN_MAX_AGE_MS) {
    const body = await call<{ accessToken: string }>(base, "POST", "/api/auth/login", { login: pair.username, password: pair.password });
    pair.token = body.accessToken;
    pair.tokenAt = Date.now();
  }
  return pair.token;
}

/** A new account named `userName` (display name) and its private character `characterName`. */
export async function openPair(base: string, userName: string, characterName: string): Promise<Pair> {
  const username = `locomo_${randomBytes(5).toString("hex")}`;
  const password = randomBytes(12).toString("base64url");
  const reg = await call<{ accessToken: string; user: { id: string } }>(base, "POST", "/api/auth/register", {
    username,
    email: `${username}@example.test`,
    password,
  });
  await call(base, "PATCH", "/api/me", { displayName: userName }, reg.accessToken);
  const made = await call<{ character: { id: string } }>(
    base,
    "POST",
    "/api/characters",
    { name: characterName, visibility: "private" },
    reg.accessToken,
  );
  return { userId: reg.user.id, characterId: made.character.id, username, password, token: reg.accessToken, tokenAt: Date.now() };
}

export interface TurnResult {
  userMessageId: string;
  replyId: string;
  reply: string;
  /** Milliseconds from sending to the first token (SSE turns only). */
  firstMs: number | null;
}

interface WireMessage {
  id: string;
  content: string;
  status: string;
}

/** One turn with a JSON answer (the whole reply). */
export async function turnJson(base: string, pair: Pair, content: string): Promise<TurnResult> {
  const body = await call<{ userMessage: WireMessage; reply: WireMessage }>(
    base,
    "POST",
    `/api/chats/${pair.characterId}/messages`,
    { content },
    await token(base, pair),
  );
  return { userMessageId: body.userMessage.id, replyId: body.reply.id, reply: body.reply.content, firstMs: null };
}

/** One turn streamed as SSE, timed to its first token and read to the end. */
export async function turnStream(base: string, pair: Pair, content: string): Promise<TurnResult> {
  const res = await send("POST", `${base}/api/chats/${pair.characterId}/messages`, {
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${await token(base, pair)}` },
    body: JSON.stringify({ content }),
    probe: serviceFirstToken(),
  });
  if (res.status !== 200) throw new Error(`turn: ${res.status} ${res.body.slice(0, 300)}`);
  let user: WireMessage | undefined;
  let reply: WireMessage | undefined;
  for (const ev of createSseParser().push(res.body)) {
    if (ev.event === "message") user = (JSON.parse(ev.data) as { message: WireMessage }).message;
    else if (ev.event === "done") reply = (JSON.parse(ev.data) as { message: WireMessage }).message;
    else if (ev.event === "error") throw new Error(`turn: error event ${ev.data}`);
  }
  if (!user || !reply) throw new Error("turn: the stream ended without its message and done events");
  return { userMessageId: user.id, replyId: reply.id, reply: reply.content, firstMs: res.firstMs };
}

/** Rewinds to `messageId` (everything after it leaves the history); returns the id of the newest message left. */
export async function rewind(base: string, pair: Pair, messageId: string): Promise<string | undefined> {
  const body = await call<{ messages: WireMessage[] }>(
    base,
    "POST",
    `/api/chats/${pair.characterId}/rewind`,
    { messageId },
    await token(base, pair),
  );
  return body.messages.at(-1)?.id;
}

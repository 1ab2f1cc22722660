/**
 * Test helpers for the gateway: signing keys and tokens, a Redis connection
 * with a prefix of its own (deleted afterwards), and stand-in upstreams on
 * loopback that speak the OpenAI streaming protocol or the seed's /generate.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Redis from "ioredis";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export const ISSUER = "chat-worker";

export interface TestKey {
  kid: string;
  alg: "EdDSA" | "ES256";
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(kid: string, alg: "EdDSA" | "ES256" = "EdDSA"): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

export interface TokenOverrides {
  iss?: string;
  aud?: string;
  sub?: string;
  uid?: string | null;
  jti?: string;
  iat?: number;
  exp?: number;
  kid?: string | null;
  typ?: string;
}

/** A tunnel token as the worker makes it, with any field overridden. */
export async function mintToken(key: TestKey, o: TokenOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header: { alg: string; kid?: string; typ: string } = { alg: key.alg, typ: o.typ ?? "JWT" };
  if (o.kid !== null) header.kid = o.kid ?? key.kid;
  const claims: Record<string, unknown> = o.uid === null ? {} : { uid: o.uid ?? "user-1" };
  return new SignJWT(claims)
    .setProtectedHeader(header)
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? "llm-gateway")
    .setSubject(o.sub ?? "user:user-1/character:c1")
    .setJti(o.jti ?? crypto.randomUUID())
    .setIssuedAt(o.iat ?? now)
    .setExpirationTime(o.exp ?? now + 60)
    .sign(key.privateKey);
}

/** An unsecured JWT (`alg: none`) carrying otherwise valid claims. */
export function unsecuredToken(kid: string): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const header = b64({ alg: "none", kid, typ: "JWT" });
  const payload = b64({ iss: ISSUER, aud: "llm-gateway", sub: "s", uid: "user-1", jti: crypto.randomUUID(), iat: now, exp: now + 60 });
  return `${header}.${payload}.`;
}

export interface TestRedis {
  redis: Redis;
  prefix: string;
  cleanup(): Promise<void>;
}

export function connectRedis(): TestRedis {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  const prefix = `test:llmgw:${crypto.randomUUID()}:`;
  return {
    redis,
    prefix,
    async cleanup() {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      await redis.quit();
    },
  };
}

export interface UpstreamCall {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

export interface Upstream {
  /** Base URL, ending in /v1. */
  url: string;
  /** Base URL without /v1, for legacy pools. */
  origin: string;
  calls: UpstreamCall[];
  /** Requests whose client went away before the response ended. */
  aborted: number;
  close(): Promise<void>;
}

export type Handler = (call: UpstreamCall, res: ServerResponse) => void | Promise<void>;

export async function startUpstream(handler: Handler): Promise<Upstream> {
  const sockets = new Set<import("node:net").Socket>();
  const state = { calls: [] as UpstreamCall[], aborted: 0 };
  const server = createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const call = { path: req.url ?? "", headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
    state.calls.push(call);
    res.on("close", () => {
      if (!res.writableFinished) state.aborted++;
    });
    await handler(call, res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    origin: `http://127.0.0.1:${port}`,
    get calls() {
      return state.calls;
    },
    get aborted() {
      return state.aborted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StreamScript {
  tokens?: string[];
  /** Sends a usage chunk when the request asked for it (as vLLM does). */
  usage?: boolean;
  delayMs?: number;
  /** Destroys the connection after this many tokens. */
  cutAfter?: number;
  /** Stops writing (without ending) after this many tokens. */
  stallAfter?: number;
  /** Waits this long before the response headers. */
  headerDelayMs?: number;
}

/** An OpenAI-style streaming answer, one token per write. */
export function openAiStream(script: StreamScript = {}): Handler {
  const tokens = script.tokens ?? ["Hel", "lo", " there", "!"];
  return async (call, res) => {
    if (script.headerDelayMs) await sleep(script.headerDelayMs);
    const model = String(call.body.model);
    if (call.body.stream !== true) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "cmpl-1",
          object: "chat.completion",
          model,
          choices: [{ index: 0, message: { role: "assistant", content: tokens.join("") }, finish_reason: "stop" }],
          ...(script.usage === false
            ? {}
            : { usage: { prompt_tokens: 7, completion_tokens: tokens.length, total_tokens: 7 + tokens.length } }),
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (data: object | string) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
    const chunk = (delta: object, finish: string | null = null) => ({
      id: "cmpl-1",
      object: "chat.completion.chunk",
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    send(chunk({ role: "assistant", content: "" }));
    for (let i = 0; i < tokens.length; i++) {
      if (script.cutAfter === i) {
        await sleep(30); // let what was written reach the client first
        res.destroy();
        return;
      }
      if (script.stallAfter === i) return;
      if (script.delayMs) await sleep(script.delayMs);
      if (res.destroyed) return;
      send(chunk({ content: tokens[i] }));
    }
    send(chunk({}, "stop"));
    const wantsUsage = (call.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
    if (script.usage !== false && wantsUsage) {
      send({
        id: "cmpl-1",
        object: "chat.completion.chunk",
        model,
        choices: [],
        usage: { prompt_tokens: 7, completion_tokens: tokens.length, total_tokens: 7 + tokens.length },
      });
    }
    send("[DONE]");
    res.end();
  };
}

/** Answers every call with this status and an OpenAI-style error body. */
export function failWith(status: number, message = "upstream says no"): Handler {
  return (_call, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "error", message, code: status }));
  };
}

/** Never answers. */
export const hang: Handler = () => undefined;

/** The seed's contract. */
export function legacyGenerate(reply = (message: string) => `You said: ${message}`): Handler {
  return (call, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ response: reply(String(call.body.message)) }));
  };
}

/** Reads a whole SSE body and returns its `data:` payloads and `event:` names in order. */
export async function readSse(res: Response): Promise<{ text: string; data: string[]; events: string[] }> {
  const text = await res.text();
  const data: string[] = [];
  const events: string[] = [];
  for (const block of text.split("\n\n")) {
    for (const line of block.split("\n")) {
      if (line.startsWith("data:")) data.push(line.slice(5).trim());
      if (line.startsWith("event:")) events.push(line.slice(6).trim());
    }
  }
  return { text, data, events };
}

/** The concatenated `delta.content` of an OpenAI stream. */
export function contentOf(data: string[]): string {
  return data
    .filter((d) => d.startsWith("{"))
    .map((d) => (JSON.parse(d) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? "")
    .join("");
}

/**
 * Test helpers for the gateway: signing keys and tokens, a Redis connection
 * with a prefix of its own (deleted afterwards), and stand-in upstreams on
 * loopback: the development LLM, which speaks the OpenAI streaming protocol
 * and the seed's /generate, and misbehaves on request.
 */
import Redis from "ioredis";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { devReplyPieces, devReplyWords, type RecordedRequest, startDevLlm } from "../../dev/dev-llm";
import { choiceText, DONE, readUsage, type Usage } from "../../worker/shared/openai";
import { createSseParser } from "../../worker/shared/sse";
import type { ReplayGuard } from "./auth";
import type { Metrics } from "./metrics";

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
  /** The `limits` claim (the user's plan), as is. */
  limits?: unknown;
}

/** A tunnel token as the worker makes it, with any field overridden. */
export async function mintToken(key: TestKey, o: TokenOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header: { alg: string; kid?: string; typ: string } = { alg: key.alg, typ: o.typ ?? "JWT" };
  if (o.kid !== null) header.kid = o.kid ?? key.kid;
  const claims: Record<string, unknown> = o.uid === null ? {} : { uid: o.uid ?? "user-1" };
  if (o.limits !== undefined) claims.limits = o.limits;
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

/** A replay guard that remembers token ids in memory: each `jti` passes once. */
export function memoryReplayGuard(): ReplayGuard {
  const seen = new Set<string>();
  return async (jti) => {
    if (seen.has(jti)) return false;
    seen.add(jti);
    return true;
  };
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

/** A stand-in model server: the development LLM (the one fake OpenAI server) on a port of its own. */
export interface Upstream {
  /** Base URL, ending in /v1. */
  url: string;
  /** Base URL without /v1, for legacy pools. */
  origin: string;
  /** The requests it received, oldest first. */
  calls: readonly RecordedRequest[];
  /** Requests whose client went away before the response ended. */
  aborted: number;
  close(): Promise<void>;
}

/**
 * Starts a development LLM that streams without pauses. `knobs` (dev/dev-reply.ts)
 * make every request misbehave, e.g. `[[fail:503]]` for an upstream that is down,
 * `[[hold:60000]]` for one that never answers, `[[empty:1]]` for an empty stream;
 * a request's own markers (in its last user message) apply on top.
 */
export async function startUpstream(knobs?: string): Promise<Upstream> {
  const llm = await startDevLlm({ wordDelayMs: 0, knobs });
  return {
    url: llm.url,
    origin: llm.url.replace(/\/v1$/, ""),
    get calls() {
      return llm.requests();
    },
    get aborted() {
      return llm.requests().filter((r) => r.aborted).length;
    },
    close: () => llm.close(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The development LLM's whole reply to `message` (its knob markers stripped), and the pieces it streams it in. */
export function devReply(message: string): { text: string; pieces: string[] } {
  const words = devReplyWords(message);
  return { text: words.join(" "), pieces: devReplyPieces(words) };
}

/** Reads a whole SSE body: its events' data in order, and the names of the named ones. */
export async function readSse(res: Response): Promise<{ text: string; data: string[]; events: string[] }> {
  const text = await res.text();
  const parser = createSseParser();
  const all = [...parser.push(text), ...parser.flush()];
  return { text, data: all.map((e) => e.data), events: all.flatMap((e) => (e.event ? [e.event] : [])) };
}

const parsedChunks = (data: string[]): unknown[] => data.filter((d) => d !== DONE).map((d) => JSON.parse(d) as unknown);

/** The concatenated `delta.content` of an OpenAI stream. */
export function contentOf(data: string[]): string {
  return parsedChunks(data)
    .map((chunk) => {
      const choices = (chunk as { choices?: unknown }).choices;
      return choiceText(Array.isArray(choices) ? choices[0] : undefined);
    })
    .join("");
}

/** The usage an OpenAI stream reported (its last usage chunk). */
export function usageOf(data: string[]): Usage | undefined {
  return parsedChunks(data).reduce<Usage | undefined>((found, chunk) => readUsage(chunk) ?? found, undefined);
}

/** The value of one series in a gateway registry (`name` may be a histogram's `_count` or `_sum`), matching `labels`. */
export async function metricValue(metrics: Metrics, series: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    for (const v of metric.values) {
      const name = (v as { metricName?: string }).metricName ?? metric.name;
      if (name === series && Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) return v.value;
    }
  }
  return undefined;
}

/**
 * The tunnel token: the worker signs a short-lived JWT per upstream attempt
 * (worker/llm/tunnel.ts); the gateway verifies it here before anything
 * reaches a model. Every failure is the same 401, whatever the reason; the
 * reason only goes to the metrics.
 */
import type { Context, MiddlewareHandler } from "hono";
import type Redis from "ioredis";
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { errorResponse, GatewayError } from "./errors";
import type { GatewayEnv, TunnelIdentity, UserLimits } from "./types";

export const TUNNEL_AUDIENCE = "llm-gateway";
export const TUNNEL_ALGORITHMS = ["EdDSA", "ES256"] as const;
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Tokens are minted for 60 s; anything claiming a longer life is refused. */
const MAX_LIFETIME_SECONDS = 300;
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"] as const;

/** Records a token id; resolves false when the id was seen before. */
export type ReplayGuard = (jti: string, ttlSeconds: number) => Promise<boolean>;

export type VerifyResult = { ok: true; identity: TunnelIdentity } | { ok: false; reason: "invalid" | "replayed" };
export type TokenVerifier = (token: string) => Promise<VerifyResult>;

export interface VerifierOptions {
  /** The trusted keys, or where to get the current ones (they may be rotated while the gateway runs). */
  jwks: JSONWebKeySet | (() => JSONWebKeySet);
  issuer: string;
  audience?: string;
  replay: ReplayGuard;
  /** Milliseconds since the epoch; tests move the clock. */
  now?: () => number;
}

/** Checks a JWKS holds only public EdDSA/ES256 keys, each with its own `kid`. */
export function parseJwks(text: string): JSONWebKeySet {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("GATEWAY_JWKS is not valid JSON");
  }
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error("GATEWAY_JWKS holds no keys");
  const kids = new Set<string>();
  for (const key of keys as JWK[]) {
    if (typeof key !== "object" || key === null || typeof key.kid !== "string" || key.kid === "") {
      throw new Error("every key in GATEWAY_JWKS needs a kid");
    }
    if (kids.has(key.kid)) throw new Error(`GATEWAY_JWKS has kid ${key.kid} twice`);
    kids.add(key.kid);
    if (PRIVATE_MEMBERS.some((m) => m in key)) throw new Error(`GATEWAY_JWKS key ${key.kid} is a private key; give the public half`);
    const okp = key.kty === "OKP" && key.crv === "Ed25519";
    const ec = key.kty === "EC" && key.crv === "P-256";
    if (!okp && !ec) throw new Error(`GATEWAY_JWKS key ${key.kid} is neither Ed25519 nor P-256`);
    if (key.alg !== undefined && key.alg !== (okp ? "EdDSA" : "ES256")) {
      throw new Error(`GATEWAY_JWKS key ${key.kid} has alg ${key.alg}`);
    }
  }
  return { keys: keys as JWK[] };
}

const isText = (v: unknown, max: number): v is string => typeof v === "string" && v.length > 0 && v.length <= max;
const isCount = (v: unknown, max: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;

/** The `limits` claim: absent, or an object of known counts; anything else makes the token invalid. */
export function readLimitsClaim(value: unknown): UserLimits | undefined {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { dailyTokens, maxStreams, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  if (dailyTokens !== undefined && !isCount(dailyTokens, 1_000_000_000)) return undefined;
  if (maxStreams !== undefined && !isCount(maxStreams, 1000)) return undefined;
  return { ...(dailyTokens === undefined ? {} : { dailyTokens }), ...(maxStreams === undefined ? {} : { maxStreams }) };
}

/**
 * Builds the verifier: signature against the configured keys (the header's
 * `kid` picks one), algorithm allowlist, `typ`, issuer, audience, expiry with
 * a small clock tolerance, the claims the limits need, and a never-seen `jti`.
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const { jwks } = options;
  const keysNow = typeof jwks === "function" ? jwks : () => jwks;
  // The key set is rebuilt only when the keys object changes (a reload), not per token.
  let built: { from: JSONWebKeySet; set: JWTVerifyGetKey } | undefined;
  // Rotation works by kid: a token without one is refused rather than tried against every key.
  const keySet: JWTVerifyGetKey = (header, token) => {
    if (typeof header?.kid !== "string" || header.kid === "") throw new Error("no kid");
    const from = keysNow();
    if (built?.from !== from) built = { from, set: createLocalJWKSet(from) };
    return built.set(header, token);
  };
  const now = options.now ?? Date.now;
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        algorithms: [...TUNNEL_ALGORITHMS],
        audience: options.audience ?? TUNNEL_AUDIENCE,
        issuer: options.issuer,
        typ: "JWT",
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp", "iat", "jti", "sub"],
        currentDate: new Date(now()),
      }));
    } catch {
      return { ok: false, reason: "invalid" };
    }
    const { sub, uid, jti, exp, iat } = payload as { sub: unknown; uid: unknown; jti: unknown; exp: number; iat: number };
    const nowSeconds = Math.floor(now() / 1000);
    if (!isText(sub, 256) || !isText(uid, 256) || !isText(jti, 128)) return { ok: false, reason: "invalid" };
    const limits = readLimitsClaim(payload.limits);
    if (!limits) return { ok: false, reason: "invalid" };
    if (iat > nowSeconds + CLOCK_TOLERANCE_SECONDS || exp - iat > MAX_LIFETIME_SECONDS) return { ok: false, reason: "invalid" };
    // Only a token that passed every other check may take a replay slot.
    const ttl = Math.max(1, exp - nowSeconds + CLOCK_TOLERANCE_SECONDS);
    if (!(await options.replay(jti, ttl))) return { ok: false, reason: "replayed" };
    return { ok: true, identity: { sessionId: sub, userId: uid, jti, expiresAt: exp, limits } };
  };
}

/** `SET NX` with the token's remaining lifetime; Redis trouble is a 503, not a pass. */
export function createRedisReplayGuard(redis: Redis, prefix: string): ReplayGuard {
  return async (jti, ttlSeconds) => {
    let reply: string | null;
    try {
      reply = await redis.set(`${prefix}jti:${jti}`, "1", "EX", ttlSeconds, "NX");
    } catch {
      throw new GatewayError("limits_unavailable", { retryAfter: 1 });
    }
    return reply === "OK";
  };
}

/** Why a token was refused: told to the caller of the middleware (metrics, logs), never to the client. */
export type RefusalReason = "missing" | "invalid" | "replayed";

/** Middleware: a valid, fresh tunnel token or the one 401. */
export function requireTunnelToken(
  verify: TokenVerifier,
  onRefused: (reason: RefusalReason, c: Context<GatewayEnv>) => void,
): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(c.req.header("authorization") ?? "");
    const result: VerifyResult = match ? await verify(match[1]) : { ok: false, reason: "invalid" };
    if (!result.ok) {
      onRefused(match ? result.reason : "missing", c);
      return errorResponse("unauthorized");
    }
    c.set("identity", result.identity);
    await next();
  };
}

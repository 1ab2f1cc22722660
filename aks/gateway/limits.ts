/**
 * Per-user limits in Redis: concurrent replies (a sorted set of leases that
 * expire on their own if a gateway dies mid-stream) and completion tokens per
 * UTC day. One Lua script checks both and reserves the request's `max_tokens`
 * atomically before it is proxied, so concurrent requests cannot together
 * spend past the cap; once the reply is over the reservation is settled to
 * what it used (the rest given back, all of it when the upstream failed).
 */
import type Redis from "ioredis";
import { GatewayError } from "./errors";

export interface LimitsConfig {
  /** Replies one user may have in flight (default 2). */
  maxConcurrent: number;
  /** Completion tokens per user per UTC day. */
  dailyTokens: number;
  /** How long a stream slot survives a gateway that died holding it. */
  leaseMs: number;
  /** Key prefix, e.g. `llmgw:`. */
  prefix: string;
  /** Retry-After for `concurrency_limited`, seconds. */
  concurrencyRetryAfter?: number;
}

export interface Lease {
  /** Frees the stream slot; safe to call more than once. */
  release(): Promise<void>;
  /**
   * Turns the token reservation into what the reply used (0 when it failed):
   * the difference goes back to the user's day. Only the first call counts.
   */
  settle(tokensUsed: number): Promise<void>;
}

export type Admission =
  | { ok: true; lease: Lease }
  | { ok: false; code: "concurrency_limited" | "daily_tokens_exhausted"; retryAfter: number };

/** A user's own limits (their plan) in place of the configured ones. */
export interface LimitsOverride {
  dailyTokens?: number;
  maxStreams?: number;
}

export interface Usage {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** Completion tokens spent today, replies in flight reserved at their ceiling. */
  usedTokens: number;
  dailyTokens: number;
  maxStreams: number;
  /** Seconds until the day's count starts again. */
  resetsIn: number;
}

export interface Limits {
  /** Takes a stream slot and reserves `reserveTokens` of the user's day, or says why not. */
  admit(userId: string, reserveTokens: number, own?: LimitsOverride): Promise<Admission>;
  /** The user's day so far, against their limits. */
  usage(userId: string, own?: LimitsOverride): Promise<Usage>;
  ping(): Promise<boolean>;
}

/** How long a day's counter is kept: past its day, for whoever reads today's usage late. */
const COUNTER_TTL_SECONDS = 2 * 86_400;

// KEYS: day's token counter, stream leases. ARGV: now ms, lease ms, max streams, daily tokens, lease id, tokens to reserve.
const ADMIT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local reserve = tonumber(ARGV[6])
if used + reserve > tonumber(ARGV[4]) then return 2 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 1 end
redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('INCRBY', KEYS[1], reserve)
redis.call('EXPIRE', KEYS[1], ${COUNTER_TTL_SECONDS})
return 0
`;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of the UTC day holding `ms`. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Seconds until the next UTC midnight, at least 1. */
export const secondsToUtcMidnight = (ms: number) => Math.max(1, Math.ceil((DAY_MS - (ms % DAY_MS)) / 1000));

export function createRedisLimits(redis: Redis, config: LimitsConfig, now: () => number = Date.now): Limits {
  // The hash tag keeps one user's keys in one slot should Redis be clustered.
  const tokensKey = (userId: string, ms: number) => `${config.prefix}{${userId}}:tokens:${utcDay(ms)}`;
  const streamsKey = (userId: string) => `${config.prefix}{${userId}}:streams`;
  const unavailable = () => new GatewayError("limits_unavailable", { retryAfter: 1 });

  return {
    async admit(userId, reserveTokens, own = {}) {
      const at = now();
      const leaseId = crypto.randomUUID();
      const reserved = Math.max(0, Math.ceil(reserveTokens));
      // Settled on the day it was reserved on, even when the reply ends after midnight.
      const dayKey = tokensKey(userId, at);
      let verdict: unknown;
      try {
        verdict = await redis.eval(
          ADMIT,
          2,
          dayKey,
          streamsKey(userId),
          at,
          config.leaseMs,
          own.maxStreams ?? config.maxConcurrent,
          own.dailyTokens ?? config.dailyTokens,
          leaseId,
          reserved,
        );
      } catch {
        throw unavailable();
      }
      if (verdict === 2) return { ok: false, code: "daily_tokens_exhausted", retryAfter: secondsToUtcMidnight(at) };
      if (verdict === 1) return { ok: false, code: "concurrency_limited", retryAfter: config.concurrencyRetryAfter ?? 2 };
      let released: Promise<void> | undefined;
      const release = () =>
        (released ??= redis.zrem(streamsKey(userId), leaseId).then(
          () => undefined,
          () => undefined, // the lease expires by itself
        ));
      let settled: Promise<void> | undefined;
      const settle = (tokensUsed: number) =>
        (settled ??= (async () => {
          const used = Number.isFinite(tokensUsed) ? Math.max(0, Math.ceil(tokensUsed)) : reserved;
          if (used === reserved) return;
          await redis
            .multi()
            .incrby(dayKey, used - reserved)
            .expire(dayKey, COUNTER_TTL_SECONDS)
            .exec();
        })());
      return { ok: true, lease: { release, settle } };
    },
    async usage(userId, own = {}) {
      const at = now();
      let used: string | null;
      try {
        used = await redis.get(tokensKey(userId, at));
      } catch {
        throw unavailable();
      }
      return {
        day: utcDay(at),
        usedTokens: Number(used ?? 0),
        dailyTokens: own.dailyTokens ?? config.dailyTokens,
        maxStreams: own.maxStreams ?? config.maxConcurrent,
        resetsIn: secondsToUtcMidnight(at),
      };
    },
    async ping() {
      try {
        return (await redis.ping()) === "PONG";
      } catch {
        return false;
      }
    },
  };
}

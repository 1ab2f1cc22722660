/**
 * Who a throttle counts. `CF-Connecting-IP` is trusted only in production,
 * behind Cloudflare's edge, which overwrites whatever a client sent. Locally
 * miniflare keeps a client-sent value (and the worker cannot see the peer
 * otherwise), so every local client shares one bucket rather than choosing
 * its own.
 */
import type { Context } from "hono";
import type Redis from "ioredis";
import type { AppEnv } from "../resources";
import type { ThrottleScope } from "./throttle";
import { sha256Hex } from "./tokens";

export const LOCAL_BUCKET = "local";

export function clientAddress(c: Context<AppEnv>): string {
  if (c.env.ENVIRONMENT !== "production") return LOCAL_BUCKET;
  return c.req.header("cf-connecting-ip") || "unknown";
}

/**
 * The throttle's keys for this request. The scope is a short digest of the
 * deployment's AUTH_SECRET: stable for one deployment, distinct for two
 * that share a Redis.
 */
export async function throttleScope(c: Context<AppEnv>, redis: Redis | null): Promise<ThrottleScope> {
  const scope = `thr:${(await sha256Hex(`throttle:${c.env.AUTH_SECRET}`)).slice(0, 16)}`;
  return { redis, scope, address: clientAddress(c) };
}

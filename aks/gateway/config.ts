/**
 * The gateway's configuration from its environment (see DESIGN.md,
 * "Configuration of the LLM path"). Throws on anything missing or wrong:
 * above all, the gateway never starts without the worker's public keys.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { JSONWebKeySet } from "jose";
import { parseJwks } from "./auth";
import { type PoolTable, parsePools } from "./pools";

export interface GatewayConfig {
  port: number;
  /** `/metrics` only, for Prometheus inside the cluster (the tunnel reaches `port` only). */
  metricsPort: number;
  host: string;
  jwks: JSONWebKeySet;
  /** The file the keys came from, re-read every `jwksReloadMs` and on SIGHUP; unset for inline JSON. */
  jwksPath?: string;
  jwksReloadMs: number;
  issuer: string;
  pools: PoolTable;
  poolsPath: string;
  redisUrl: string;
  redisPrefix: string;
  maxConcurrent: number;
  dailyTokens: number;
  /** Reserved from the day, and asked of the model, for a request without `max_tokens`. */
  defaultMaxTokens: number;
  /** How often `discover: "dns"` upstreams are looked up again (replicas.ts). */
  discoveryMs: number;
}

export type Env = Record<string, string | undefined>;
type ReadFile = (path: string) => string;

const DEFAULT_POOLS = fileURLToPath(new URL("./pools.dev.json", import.meta.url));

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${raw}`);
  return value;
}

export function loadGatewayConfig(env: Env, readFile: ReadFile = (p) => readFileSync(p, "utf8")): GatewayConfig {
  const jwksValue = env.GATEWAY_JWKS?.trim();
  if (!jwksValue) {
    throw new Error(
      "GATEWAY_JWKS is not set: the gateway does not start without the worker's public keys " +
        "(make them with `npx tsx aks/gateway/keygen.ts`)",
    );
  }
  // JSON inline, or a path to a file holding it.
  const jwksPath = jwksValue.startsWith("{") ? undefined : jwksValue;
  const jwks = parseJwks(jwksPath === undefined ? jwksValue : readFile(jwksPath));

  const poolsPath = env.GATEWAY_POOLS?.trim() || DEFAULT_POOLS;
  let poolsJson: unknown;
  try {
    poolsJson = JSON.parse(readFile(poolsPath));
  } catch (err) {
    throw new Error(`cannot read the pools file ${poolsPath}: ${err instanceof Error ? err.message : String(err)}`);
  }

  return {
    port: integer(env, "GATEWAY_PORT", 8788, 0),
    metricsPort: integer(env, "GATEWAY_METRICS_PORT", 9464, 0),
    host: env.GATEWAY_HOST?.trim() || "127.0.0.1",
    jwks,
    jwksPath,
    jwksReloadMs: integer(env, "GATEWAY_JWKS_RELOAD_MS", 10_000, 0),
    issuer: env.GATEWAY_ISSUER?.trim() || "chat-worker",
    pools: parsePools(poolsJson, env),
    poolsPath,
    redisUrl: env.REDIS_URL?.trim() || "redis://127.0.0.1:6379",
    redisPrefix: env.GATEWAY_REDIS_PREFIX?.trim() || "llmgw:",
    maxConcurrent: integer(env, "GATEWAY_MAX_STREAMS", 2, 1),
    dailyTokens: integer(env, "GATEWAY_DAILY_TOKENS", 200_000, 1),
    defaultMaxTokens: integer(env, "GATEWAY_DEFAULT_MAX_TOKENS", 1024, 1),
    discoveryMs: integer(env, "GATEWAY_DISCOVERY_MS", 5000, 0),
  };
}

/**
 * `npm run gateway`: the LLM gateway on Node. Reads its configuration, wires
 * Redis, the verifier and the pools into the app and serves it; on SIGTERM it
 * stops accepting and lets running replies finish.
 */
import { serve } from "@hono/node-server";
import Redis from "ioredis";
import { createGatewayApp, jsonLogger } from "./app";
import { createRedisReplayGuard, createTokenVerifier } from "./auth";
import { type GatewayConfig, loadGatewayConfig } from "./config";
import { createRedisLimits } from "./limits";
import { createMetrics } from "./metrics";
import { gatewayTracingFromEnv } from "./tracing";

let config: GatewayConfig;
try {
  config = loadGatewayConfig(process.env);
} catch (err) {
  console.error(`llm-gateway: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
let redisDown = false;
redis.on("error", (err: Error) => {
  if (!redisDown) jsonLogger({ msg: "redis_error", error: err.message });
  redisDown = true;
});
redis.on("ready", () => (redisDown = false));

const tracing = gatewayTracingFromEnv(process.env, jsonLogger);

// A stream slot outlives the longest reply any pool allows, and no more.
const longest = Math.max(...[...config.pools.pools.values()].map((p) => p.timeouts.totalMs));
const app = createGatewayApp({
  verify: createTokenVerifier({ jwks: config.jwks, issuer: config.issuer, replay: createRedisReplayGuard(redis, config.redisPrefix) }),
  pools: config.pools,
  limits: createRedisLimits(redis, {
    maxConcurrent: config.maxConcurrent,
    dailyTokens: config.dailyTokens,
    leaseMs: longest + 60_000,
    prefix: config.redisPrefix,
  }),
  metrics: createMetrics(),
  log: jsonLogger,
  tracing,
});

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  jsonLogger({
    msg: "gateway_listening",
    url: `http://${info.address}:${info.port}`,
    pools: [...config.pools.pools.keys()],
    poolsFile: config.poolsPath,
    kids: config.jwks.keys.map((k) => k.kid),
    issuer: config.issuer,
    traces: tracing.exporter,
  });
});

const shutdown = (signal: string) => {
  jsonLogger({ msg: "gateway_stopping", signal });
  server.close(() => {
    void Promise.allSettled([tracing.flush(), redis.quit()]).finally(() => process.exit(0));
  });
  // Kubernetes' grace period is the real bound; this one only avoids hanging forever.
  setTimeout(() => process.exit(0), 290_000).unref();
};
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));

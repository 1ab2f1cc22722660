/**
 * `npm run gateway`: the LLM gateway on Node. Reads its configuration, wires
 * Redis, the verifier and the pools into the app and serves it; on SIGTERM it
 * stops accepting and lets running replies finish.
 */
import { lookup } from "node:dns/promises";
import { serve } from "@hono/node-server";
import Redis from "ioredis";
import { createGatewayApp, jsonLogger } from "./app";
import { createRedisReplayGuard, createTokenVerifier } from "./auth";
import { type GatewayConfig, loadGatewayConfig } from "./config";
import { createRedisLimits } from "./limits";
import { createMetrics, createMetricsApp } from "./metrics";
import { startReplicaDiscovery } from "./replicas";
import { gatewayTracingFromEnv } from "./tracing";
import { createTrustedKeys } from "./trusted-keys";

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
// Rotating the worker's keys is a change to the JWKS file (or a SIGHUP), not a restart.
const trusted = createTrustedKeys({ initial: config.jwks, path: config.jwksPath, intervalMs: config.jwksReloadMs, log: jsonLogger });
process.on("SIGHUP", () => void trusted.reload());
// Each ready pod behind a headless Service becomes an upstream, for session affinity.
const discovery = startReplicaDiscovery(config.pools, {
  resolve: async (host) => (await lookup(host, { all: true })).map((a) => a.address),
  intervalMs: config.discoveryMs,
  log: jsonLogger,
});
void discovery.refresh();
const metrics = createMetrics(config.pools.pools.keys());
const app = createGatewayApp({
  verify: createTokenVerifier({ jwks: trusted.current, issuer: config.issuer, replay: createRedisReplayGuard(redis, config.redisPrefix) }),
  pools: config.pools,
  limits: createRedisLimits(redis, {
    maxConcurrent: config.maxConcurrent,
    dailyTokens: config.dailyTokens,
    leaseMs: longest + 60_000,
    prefix: config.redisPrefix,
  }),
  metrics,
  log: jsonLogger,
  defaultMaxTokens: config.defaultMaxTokens,
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

// Its own port: Prometheus may reach it, the tunnel may not (network-policies.yaml).
const metricsServer = serve({ fetch: createMetricsApp(metrics).fetch, port: config.metricsPort, hostname: config.host }, (info) => {
  jsonLogger({ msg: "gateway_metrics_listening", metricsUrl: `http://${info.address}:${info.port}/metrics` });
});

const shutdown = (signal: string) => {
  jsonLogger({ msg: "gateway_stopping", signal });
  trusted.close();
  discovery.close();
  // Prometheus sees the last replies end; the metrics port closes with the process.
  server.close(() => {
    metricsServer.close();
    void Promise.allSettled([tracing.flush(), redis.quit()]).finally(() => process.exit(0));
  });
  // Kubernetes' grace period is the real bound; this one only avoids hanging forever.
  setTimeout(() => process.exit(0), 290_000).unref();
};
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));

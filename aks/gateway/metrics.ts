/**
 * The gateway's Prometheus series (prom-client), exactly those of
 * `aks/metrics-contract.ts` that the scalers and dashboards read. One Registry
 * per app (no module-level state, prom-client's global register unused), and
 * served on a port of its own (GATEWAY_METRICS_PORT) by `createMetricsApp`, so
 * only Prometheus inside the cluster reaches it: the tunnel routes the API port.
 */
import { Hono } from "hono";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  /** Replies being generated now, by the pool a request was routed to. */
  inFlight: Gauge<"pool">;
  timeToFirstToken: Histogram<"pool" | "model">;
  tokensPerSecond: Histogram<"pool" | "model">;
  requestDuration: Histogram<"pool" | "model" | "outcome">;
  upstreamFailures: Counter<"pool" | "reason">;
  /** Requests the gateway answered with one of its own refusals, by error code. */
  refusals: Counter<"code">;
}

// Time to first token up to 60 s (a pool's firstTokenMs rarely allows more); whole replies up to 10 min.
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60];
const DURATION_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 240, 600];
const RATE_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 40, 60, 80, 100, 150, 200, 300];

/** A fresh registry holding the contract's series; every pool's in-flight gauge starts at 0. */
export function createMetrics(pools: Iterable<string>): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    inFlight: new Gauge({
      name: "gateway_streams_in_flight",
      help: "Replies being generated now, by the pool the request was routed to.",
      labelNames: ["pool"],
      registers,
    }),
    timeToFirstToken: new Histogram({
      name: "gateway_time_to_first_token_seconds",
      help: "Seconds from the request reaching the gateway to its first token sent, retries and fallback included.",
      labelNames: ["pool", "model"],
      buckets: TTFT_BUCKETS,
      registers,
    }),
    tokensPerSecond: new Histogram({
      name: "gateway_tokens_per_second",
      help: "Completion tokens per second of a streamed reply, from its first token to its last.",
      labelNames: ["pool", "model"],
      buckets: RATE_BUCKETS,
      registers,
    }),
    requestDuration: new Histogram({
      name: "gateway_request_duration_seconds",
      help: "Seconds from the request reaching the gateway to the end of its reply, by outcome.",
      labelNames: ["pool", "model", "outcome"],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    upstreamFailures: new Counter({
      name: "gateway_upstream_failures_total",
      help: "Upstream attempts that failed before the first token, by pool and reason.",
      labelNames: ["pool", "reason"],
      registers,
    }),
    refusals: new Counter({
      name: "gateway_refusals_total",
      help: "Requests refused by the gateway, by error code.",
      labelNames: ["code"],
      registers,
    }),
  };
  // The gateway's scaler treats a missing series as an error, never as zero.
  for (const pool of pools) metrics.inFlight.set({ pool }, 0);
  return metrics;
}

/** The metrics port's app: `GET /metrics` in the Prometheus text format, nothing else. */
export function createMetricsApp(metrics: Metrics): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) => c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }));
  app.notFound((c) => c.text("not found", 404));
  return app;
}

/**
 * The Prometheus series the manifests depend on: what the gateway must export
 * at `/metrics` on GATEWAY_METRICS_PORT (prom-client), and the few vLLM series
 * the scalers and the operations notes read. The manifest tests check every
 * scaler query against this list; the gateway's own tests can check its
 * `/metrics` against it, so the two sides cannot drift apart.
 */

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  name: string;
  type: MetricType;
  /** The labels the exporter sets (Prometheus adds the target labels below). */
  labels: readonly string[];
  help: string;
}

/** Labels Prometheus adds to every series from a ServiceMonitor target. */
export const TARGET_LABELS = ["namespace", "service", "pod", "container", "endpoint", "job", "instance"] as const;

export const GATEWAY_METRICS: readonly MetricSpec[] = [
  {
    name: "gateway_streams_in_flight",
    type: "gauge",
    labels: ["pool"],
    help: "Replies being generated now. Set to 0 for every configured pool at start: the gateway's scaler reads it, and no series is an error.",
  },
  {
    name: "gateway_time_to_first_token_seconds",
    type: "histogram",
    labels: ["pool", "model"],
    help: "Seconds from the request reaching the gateway to its first token sent, retries and fallback included (buckets up to 60 s).",
  },
  {
    name: "gateway_tokens_per_second",
    type: "histogram",
    labels: ["pool", "model"],
    help: "Completion tokens per second of a reply, measured from its first token to its last.",
  },
  {
    name: "gateway_request_duration_seconds",
    type: "histogram",
    labels: ["pool", "model", "outcome"],
    help: "Seconds from the request reaching the gateway to the end of its reply, by outcome (complete, upstream_interrupted, …).",
  },
  {
    name: "gateway_upstream_failures_total",
    type: "counter",
    labels: ["pool", "reason"],
    help: "Upstream attempts that failed before the first token.",
  },
  {
    name: "gateway_refusals_total",
    type: "counter",
    labels: ["code"],
    help: "Requests refused by the gateway, by error code (unauthorized, concurrency_limited, daily_tokens_exhausted, …).",
  },
];

/** vLLM's own series (v0.8), labelled with `model_name` = its --served-model-name. */
export const VLLM_METRICS: readonly MetricSpec[] = [
  { name: "vllm:num_requests_waiting", type: "gauge", labels: ["model_name"], help: "Requests queued, not yet scheduled." },
  { name: "vllm:num_requests_running", type: "gauge", labels: ["model_name"], help: "Requests in the running batch." },
  { name: "vllm:gpu_cache_usage_perc", type: "gauge", labels: ["model_name"], help: "KV cache in use, 0–1." },
  { name: "vllm:time_to_first_token_seconds", type: "histogram", labels: ["model_name"], help: "Time to first token inside vLLM." },
  { name: "vllm:time_per_output_token_seconds", type: "histogram", labels: ["model_name"], help: "Gap between output tokens." },
  { name: "vllm:request_queue_time_seconds", type: "histogram", labels: ["model_name"], help: "Time a request waited in the queue." },
  { name: "vllm:e2e_request_latency_seconds", type: "histogram", labels: ["model_name"], help: "Whole request inside vLLM." },
];

/** The series a query may name: a histogram's are its `_bucket`, `_sum` and `_count`. */
export function seriesNames(spec: MetricSpec): string[] {
  return spec.type === "histogram" ? [`${spec.name}_bucket`, `${spec.name}_sum`, `${spec.name}_count`] : [spec.name];
}

/** The spec a series name belongs to, if any. */
export function findMetric(specs: readonly MetricSpec[], series: string): MetricSpec | undefined {
  return specs.find((s) => seriesNames(s).includes(series));
}

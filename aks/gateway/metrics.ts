/**
 * Prometheus-style counters and gauges, rendered as text at `/metrics`. One
 * registry per app (no module-level state), a handful of series, so a Map
 * keyed by name and sorted labels is all it takes.
 */

export type Labels = Record<string, string>;

const HELP: Record<string, [type: "counter" | "gauge", help: string]> = {
  gateway_requests_total: ["counter", "Chat completion requests by model, pool and outcome."],
  gateway_prompt_tokens_total: ["counter", "Prompt tokens reported by upstreams."],
  gateway_completion_tokens_total: ["counter", "Completion tokens reported (or estimated) per model."],
  gateway_auth_failures_total: ["counter", "Requests refused for their tunnel token, by reason."],
  gateway_limited_total: ["counter", "Requests refused by a per-user limit, by code."],
  gateway_upstream_failures_total: ["counter", "Upstream attempts that failed before the first token, by pool."],
  gateway_fallbacks_total: ["counter", "Requests answered by a fallback pool."],
  gateway_streams_cut_total: ["counter", "Streams that ended with an error event after tokens had flowed."],
  gateway_request_duration_seconds_total: ["counter", "Sum of request latencies in seconds, by model (divide by requests)."],
  gateway_streams_in_flight: ["gauge", "Replies being generated right now."],
};

export interface Metrics {
  inc(name: string, labels?: Labels, by?: number): void;
  /** Gauges only: adds a signed delta. */
  add(name: string, delta: number, labels?: Labels): void;
  render(): string;
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function seriesKey(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A fresh registry. Names without a HELP entry are still rendered, untyped. */
export function createMetrics(): Metrics {
  const series = new Map<string, Map<string, number>>();
  const add = (name: string, delta: number, labels: Labels = {}) => {
    let byLabels = series.get(name);
    if (!byLabels) series.set(name, (byLabels = new Map()));
    const key = seriesKey(labels);
    byLabels.set(key, (byLabels.get(key) ?? 0) + delta);
  };
  return {
    inc: (name, labels, by = 1) => add(name, Math.max(0, by), labels),
    add: (name, delta, labels) => add(name, delta, labels),
    render() {
      const lines: string[] = [];
      for (const name of [...new Set([...Object.keys(HELP), ...series.keys()])]) {
        const meta = HELP[name];
        if (meta) lines.push(`# HELP ${name} ${meta[1]}`, `# TYPE ${name} ${meta[0]}`);
        const byLabels = series.get(name);
        if (!byLabels) {
          if (meta?.[0] === "gauge") lines.push(`${name} 0`);
          continue;
        }
        for (const [key, value] of byLabels) lines.push(`${name}${key} ${value}`);
      }
      return `${lines.join("\n")}\n`;
    },
  };
}

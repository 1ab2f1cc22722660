/**
 * Where spans go, from OpenTelemetry's standard environment variables, and
 * the two exporters both runtimes have: OTLP/HTTP with JSON bodies (fetch),
 * and the console (one JSON line per span). The gateway adds a file
 * exporter of its own. Parsing is pure; exporting never throws.
 */
import { type Attrs, type SpanRecord, toOtlpJson } from "./spans";

export type TraceExporter = "otlp" | "console" | "file" | "none";

export interface TraceExportConfig {
  exporter: TraceExporter;
  /** The full OTLP traces URL (`…/v1/traces`). */
  url: string;
  headers: Record<string, string>;
  /** Resource attributes: `service.name` and any from OTEL_RESOURCE_ATTRIBUTES. */
  resource: Attrs;
  /** Share of new traces recorded (a caller's sampled flag wins). */
  ratio: number;
  /** The file exporter's path (the gateway only). */
  file?: string;
}

/** Any object of string variables: process.env, the worker's Env. */
type EnvLike = object;

const str = (env: EnvLike, name: string): string | undefined => {
  const v = (env as Record<string, unknown>)[name];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
};

/** `k1=v1,k2=v2` with percent-encoded values (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES). */
export function parseKeyValues(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? "").split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed escape: leave that pair out
    }
  }
  return out;
}

function samplerRatio(env: EnvLike): number {
  const sampler = str(env, "OTEL_TRACES_SAMPLER") ?? "parentbased_always_on";
  if (sampler.endsWith("always_off")) return 0;
  if (!sampler.endsWith("traceidratio")) return 1;
  const arg = Number(str(env, "OTEL_TRACES_SAMPLER_ARG") ?? "1");
  return Number.isFinite(arg) ? Math.min(1, Math.max(0, arg)) : 1;
}

/**
 * The export configuration from the standard variables: OTEL_TRACES_EXPORTER
 * (`otlp`, `console`, `none`; `file` for the gateway), OTEL_EXPORTER_OTLP_ENDPOINT
 * (`/v1/traces` appended) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is),
 * OTEL_EXPORTER_OTLP_HEADERS / …_TRACES_HEADERS, OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG), OTEL_SDK_DISABLED and
 * OTEL_TRACES_FILE (ours, for `file`). Unlike the SDK's default, no exporter
 * is chosen when nothing is set: tracing is off until an endpoint is given.
 */
export function traceExportConfig(env: EnvLike, serviceName: string): TraceExportConfig {
  const tracesEndpoint = str(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const base = str(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  const url = tracesEndpoint ?? (base ? `${base.replace(/\/+$/, "")}/v1/traces` : "");
  const named = str(env, "OTEL_TRACES_EXPORTER")?.split(",")[0].trim().toLowerCase();
  let exporter: TraceExporter =
    named === "otlp" || named === "console" || named === "file" || named === "none" ? named : url ? "otlp" : "none";
  if (str(env, "OTEL_SDK_DISABLED")?.toLowerCase() === "true" || (exporter === "otlp" && !url)) exporter = "none";
  const file = str(env, "OTEL_TRACES_FILE");
  if (exporter === "file" && !file) exporter = "none";
  const resource: Attrs = { ...parseKeyValues(str(env, "OTEL_RESOURCE_ATTRIBUTES")) };
  resource["service.name"] = str(env, "OTEL_SERVICE_NAME") ?? (resource["service.name"] as string | undefined) ?? serviceName;
  return {
    exporter,
    url,
    headers: {
      ...parseKeyValues(str(env, "OTEL_EXPORTER_OTLP_HEADERS")),
      ...parseKeyValues(str(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS")),
    },
    resource,
    ratio: samplerRatio(env),
    file,
  };
}

export const TRACE_SCOPE = "character-chat";

/** One span as a console line: the ids, the timing and the attributes, nothing else. */
export function spanLine(resource: Attrs, r: SpanRecord): string {
  return JSON.stringify({
    event: "span",
    service: resource["service.name"],
    traceId: r.traceId,
    spanId: r.spanId,
    parentSpanId: r.parentSpanId,
    name: r.name,
    durationMs: Math.round((r.endMs - r.startMs) * 1000) / 1000,
    error: r.error,
    attributes: r.attributes,
  });
}

/**
 * Sends `records` to the configured exporter (`file` is the gateway's own).
 * Resolves with null on success, or a short reason (`status_503`,
 * `unreachable`) that the caller may log; it never rejects.
 */
export async function exportSpans(cfg: TraceExportConfig, records: SpanRecord[], fetcher: typeof fetch = fetch): Promise<string | null> {
  if (records.length === 0 || cfg.exporter === "none" || cfg.exporter === "file") return null;
  if (cfg.exporter === "console") {
    for (const r of records) console.log(spanLine(cfg.resource, r));
    return null;
  }
  try {
    const res = await fetcher(cfg.url, {
      method: "POST",
      headers: { ...cfg.headers, "content-type": "application/json" },
      body: JSON.stringify(toOtlpJson(cfg.resource, TRACE_SCOPE, records)),
      signal: AbortSignal.timeout(10_000),
    });
    // Read it to the end so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? null : `status_${res.status}`;
  } catch {
    return "unreachable";
  }
}

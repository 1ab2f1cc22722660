/**
 * A development OTLP collector: receives OTLP/HTTP JSON on `POST /v1/traces`
 * from the worker and the gateway, keeps the spans, appends each request to
 * a JSONL file (one ExportTraceServiceRequest per line, the format of the
 * OpenTelemetry Collector's file exporter) and prints one line per span.
 * Point both at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318.
 * Tests use it as the collector. Run directly:
 * `tsx dev/trace-collector.ts` (OTEL_COLLECTOR_PORT 4318, OTEL_COLLECTOR_FILE .data/traces.jsonl).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";

/** One received span, flattened. */
export interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  durationMs: number;
  attributes: Record<string, string | number | boolean>;
  events: string[];
  error?: string;
}

interface OtlpAttr {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpAttr[];
  events?: { name: string }[];
  status?: { code?: number; message?: string };
}
interface OtlpRequest {
  resourceSpans?: { resource?: { attributes?: OtlpAttr[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

function attrs(list: OtlpAttr[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    out[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue);
  }
  return out;
}

/** The spans of one OTLP/JSON request, flattened. */
export function flattenOtlp(body: OtlpRequest): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const service = String(attrs(rs.resource?.attributes)["service.name"] ?? "unknown");
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          service,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId || undefined,
          name: s.name,
          kind: s.kind,
          durationMs: Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6,
          attributes: attrs(s.attributes),
          events: (s.events ?? []).map((e) => e.name),
          error: s.status?.code === 2 ? (s.status.message ?? "error") : undefined,
        });
      }
    }
  }
  return out;
}

export interface TraceCollector {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans(): CollectedSpan[];
  close(): Promise<void>;
}

export async function startTraceCollector(
  opts: { port?: number; host?: string; file?: string; print?: boolean } = {},
): Promise<TraceCollector> {
  const spans: CollectedSpan[] = [];
  if (opts.file) mkdirSync(dirname(opts.file), { recursive: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      let body: OtlpRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpRequest;
      } catch {
        res.writeHead(400, { "content-type": "application/json" }).end('{"message":"not OTLP JSON"}');
        return;
      }
      const got = flattenOtlp(body);
      spans.push(...got);
      if (opts.file) appendFileSync(opts.file, `${JSON.stringify(body)}\n`);
      if (opts.print) {
        for (const s of got)
          console.log(`${s.traceId} ${s.service} ${s.name} ${s.durationMs.toFixed(1)} ms${s.error ? ` ERROR ${s.error}` : ""}`);
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    spans: () => [...spans],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const collector = await startTraceCollector({
    port: Number(process.env.OTEL_COLLECTOR_PORT ?? 4318),
    file: process.env.OTEL_COLLECTOR_FILE ?? ".data/traces.jsonl",
    print: true,
  });
  console.log(`trace collector on ${collector.url} (OTEL_EXPORTER_OTLP_ENDPOINT=${collector.url})`);
}

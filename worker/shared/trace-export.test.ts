import { describe, expect, it, vi } from "vitest";
import { startTraceCollector } from "../../dev/trace-collector";
import { createTracer } from "./spans";
import { exportSpans, parseKeyValues, traceExportConfig } from "./trace-export";

describe("trace export configuration", () => {
  it("is off when nothing is set", () => {
    expect(traceExportConfig({}, "svc")).toMatchObject({ exporter: "none", resource: { "service.name": "svc" }, ratio: 1 });
  });

  it("sends OTLP to {endpoint}/v1/traces once an endpoint is given, with its headers", () => {
    const cfg = traceExportConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example/", OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=a%3Db,other=1" },
      "svc",
    );
    expect(cfg).toMatchObject({ exporter: "otlp", url: "https://otel.example/v1/traces", headers: { "x-api-key": "a=b", other: "1" } });
  });

  it("takes the traces endpoint as it is and lets it win", () => {
    const cfg = traceExportConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: "https://a.example", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://b.example/custom" },
      "svc",
    );
    expect(cfg.url).toBe("https://b.example/custom");
  });

  it("honours the exporter, service name, resource attributes and sampler", () => {
    const cfg = traceExportConfig(
      {
        OTEL_TRACES_EXPORTER: "console",
        OTEL_SERVICE_NAME: "edge",
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod,service.name=ignored",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
      },
      "svc",
    );
    expect(cfg).toMatchObject({ exporter: "console", ratio: 0.1, resource: { "service.name": "edge", "deployment.environment": "prod" } });
    expect(traceExportConfig({ OTEL_TRACES_SAMPLER: "always_off", OTEL_TRACES_EXPORTER: "console" }, "s").ratio).toBe(0);
  });

  it("falls back to none for otlp without an endpoint, file without a path, or the SDK disabled", () => {
    expect(traceExportConfig({ OTEL_TRACES_EXPORTER: "otlp" }, "s").exporter).toBe("none");
    expect(traceExportConfig({ OTEL_TRACES_EXPORTER: "file" }, "s").exporter).toBe("none");
    expect(traceExportConfig({ OTEL_TRACES_EXPORTER: "file", OTEL_TRACES_FILE: "/tmp/t.jsonl" }, "s").exporter).toBe("file");
    expect(traceExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x", OTEL_SDK_DISABLED: "true" }, "s").exporter).toBe("none");
  });

  it("skips malformed key-value pairs", () => {
    expect(parseKeyValues("a=1,=2,b,c=%E0%A4%A,d=x=y")).toEqual({ a: "1", d: "x=y" });
  });
});

describe("exporting spans", () => {
  const records = () => {
    const tracer = createTracer({ recording: true });
    const span = tracer.start("POST /api/x", { kind: "server", attrs: { "http.response.status_code": 200 } });
    span.child("inner").end();
    span.end();
    return tracer.take();
  };

  it("posts OTLP/JSON that a collector reads back, span for span", async () => {
    const collector = await startTraceCollector();
    try {
      const sent = records();
      const cfg = traceExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: "edge" }, "svc");
      expect(await exportSpans(cfg, sent)).toBeNull();
      const got = collector.spans();
      expect(got.map((s) => [s.service, s.name, s.spanId, s.parentSpanId])).toEqual(
        sent.map((r) => ["edge", r.name, r.spanId, r.parentSpanId]),
      );
      expect(got[1].attributes["http.response.status_code"]).toBe(200);
    } finally {
      await collector.close();
    }
  });

  it("reports a refusing or unreachable collector instead of throwing", async () => {
    const collector = await startTraceCollector();
    await collector.close();
    const down = traceExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }, "svc");
    expect(await exportSpans(down, records())).toBe("unreachable");
    const other = await startTraceCollector();
    try {
      const wrongPath = traceExportConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${other.url}/nope` }, "svc");
      expect(await exportSpans(wrongPath, records())).toBe("status_404");
    } finally {
      await other.close();
    }
  });

  it("writes one console line per span with ids and timing", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
    try {
      const sent = records();
      expect(await exportSpans(traceExportConfig({ OTEL_TRACES_EXPORTER: "console" }, "svc"), sent)).toBeNull();
    } finally {
      spy.mockRestore();
    }
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { event: "span", service: "svc", name: "inner" },
      { event: "span", service: "svc", name: "POST /api/x", attributes: { "http.response.status_code": 200 } },
    ]);
  });
});

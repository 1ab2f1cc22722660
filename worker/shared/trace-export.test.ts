import { describe, expect, it } from "vitest";
import { parseKeyValues, traceExportConfig } from "./trace-export";

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

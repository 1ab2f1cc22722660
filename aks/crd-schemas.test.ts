import { describe, expect, it } from "vitest";
import { scaledObjectSchema, serviceMonitorSchema } from "./crd-schemas";

const scaledObject = () => ({
  apiVersion: "keda.sh/v1alpha1",
  kind: "ScaledObject",
  metadata: { name: "vllm-chat", namespace: "chat-llm" },
  spec: {
    scaleTargetRef: { name: "vllm-chat" },
    minReplicaCount: 1,
    maxReplicaCount: 2,
    fallback: { failureThreshold: 3, replicas: 1, behavior: "currentReplicasIfHigher" },
    triggers: [
      {
        type: "prometheus",
        metadata: {
          serverAddress: "http://prometheus-operated.monitoring.svc:9090",
          query: "sum(vllm:num_requests_waiting)",
          threshold: "5",
        },
      },
    ] as Record<string, unknown>[],
  } as Record<string, unknown>,
});

const serviceMonitor = () => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "ServiceMonitor",
  metadata: { name: "llm-gateway" },
  spec: {
    selector: { matchLabels: { "app.kubernetes.io/name": "llm-gateway" } },
    endpoints: [{ port: "metrics", path: "/metrics", interval: "15s", scrapeTimeout: "10s" }] as Record<string, unknown>[],
  },
});

const issues = (result: { success: boolean; error?: { issues: { message: string; path: PropertyKey[] }[] } }) =>
  (result.error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`).join("\n");

describe("ScaledObject schema", () => {
  it("accepts a KEDA ScaledObject with a Prometheus trigger", () => {
    const result = scaledObjectSchema.safeParse(scaledObject());
    expect(issues(result)).toBe("");
  });

  it("refuses a misspelt field, a numeric threshold and an unknown trigger parameter", () => {
    const misspelt = scaledObject();
    misspelt.spec.minReplicas = 1;
    expect(issues(scaledObjectSchema.safeParse(misspelt))).toMatch(/minReplicas/);

    const numeric = scaledObject();
    (numeric.spec.triggers as { metadata: Record<string, unknown> }[])[0].metadata.threshold = 5;
    expect(issues(scaledObjectSchema.safeParse(numeric))).toMatch(/threshold/);

    const unknown = scaledObject();
    (unknown.spec.triggers as { metadata: Record<string, unknown> }[])[0].metadata.metricName = "x";
    expect(issues(scaledObjectSchema.safeParse(unknown))).toMatch(/metricName/);
  });

  it("refuses min above max, and a fallback with only a cpu trigger", () => {
    const inverted = scaledObject();
    inverted.spec.minReplicaCount = 3;
    expect(issues(scaledObjectSchema.safeParse(inverted))).toMatch(/minReplicaCount must not exceed/);

    const cpuOnly = scaledObject();
    cpuOnly.spec.triggers = [{ type: "cpu", metricType: "Utilization", metadata: { value: "75" } }];
    expect(issues(scaledObjectSchema.safeParse(cpuOnly))).toMatch(/fallback needs/);
  });
});

describe("ServiceMonitor schema", () => {
  it("accepts a prometheus-operator ServiceMonitor", () => {
    expect(issues(serviceMonitorSchema.safeParse(serviceMonitor()))).toBe("");
  });

  it("refuses a timeout longer than the interval, two ports, and an unknown field", () => {
    const slow = serviceMonitor();
    slow.spec.endpoints[0].scrapeTimeout = "1m";
    expect(issues(serviceMonitorSchema.safeParse(slow))).toMatch(/scrapeTimeout must not exceed/);

    const both = serviceMonitor();
    both.spec.endpoints[0].targetPort = 9464;
    expect(issues(serviceMonitorSchema.safeParse(both))).toMatch(/exactly one of port and targetPort/);

    const typo = serviceMonitor();
    typo.spec.endpoints[0].intervall = "15s";
    expect(issues(serviceMonitorSchema.safeParse(typo))).toMatch(/intervall/);
  });
});

/**
 * Tracing in the rendered overlays, with and without the opt-in vLLM tracing
 * component: the collector's configuration, the endpoints the gateway and
 * vLLM export to, and the network paths spans may take (those, and no
 * others). The rules in tracing-rules.ts also run on copies broken on purpose.
 */
import { Deployment, type IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { canConnect, egressAllows, ingressAllows, type NetworkPolicyObject, type Peer } from "./netpol";
import { envOf, mainContainer, OVERLAYS, podPeer, Rendered, renderOverlay, renderOverlayWith } from "./rendered";
import {
  collectorProblems,
  findCollector,
  gatewayTracingProblems,
  tracedModelServers,
  tracingProblems,
  vllmTracingProblems,
} from "./tracing-rules";

const VARIANTS = OVERLAYS.flatMap((o) => [
  { label: o.name, overlay: o, vllmTracing: false, render: () => renderOverlay(o.name) },
  {
    label: `${o.name} + components/vllm-tracing`,
    overlay: o,
    vllmTracing: true,
    render: () => renderOverlayWith(o.name, ["vllm-tracing"]),
  },
]);

const outside = (name: string, namespace: string, labels: Record<string, string>): Peer => ({
  kind: "pod",
  name,
  namespace,
  namespaceLabels: { "kubernetes.io/metadata.name": namespace },
  labels,
});

/** Every pod of the overlay, plus pods and addresses that are not, as network peers. */
function peersOf(r: Rendered, namespace: string): Peer[] {
  return [
    ...r.workloads.map((w) => podPeer(w, namespace)),
    outside("stray", namespace, { app: "debug" }),
    outside("intruder", "default", { "app.kubernetes.io/name": "llm-gateway" }),
    outside("prometheus", "monitoring", { "app.kubernetes.io/name": "prometheus" }),
    outside("coredns", "kube-system", { "k8s-app": "kube-dns" }),
    { kind: "external", name: "backend", ip: "34.120.0.10" },
    { kind: "external", name: "azure-imds", ip: "169.254.169.254" },
    { kind: "external", name: "vnet", ip: "10.30.1.4" },
  ];
}

/** The connections the policies allow into the collector on any port, and out of it to anything, as `from → to:port`. */
function traceFlows(r: Rendered, namespace: string): string[] {
  const policies = r.all<NetworkPolicyObject>("NetworkPolicy");
  const peers = peersOf(r, namespace);
  const collector = peers.find((p) => p.name === "otel-collector")!;
  const flows: string[] = [];
  for (const port of [4317, 4318, 13133, 8888])
    for (const from of peers)
      if (from !== collector && canConnect(policies, from, collector, port)) flows.push(`${from.name} → otel-collector:${port}`);
  for (const to of peers.filter((p) => p !== collector))
    for (const [port, protocol] of [
      [53, "UDP"],
      [53, "TCP"],
      [80, "TCP"],
      [443, "TCP"],
      [4317, "TCP"],
      [8000, "TCP"],
      [8788, "TCP"],
    ] as const)
      if (canConnect(policies, collector, to, port, protocol)) flows.push(`otel-collector → ${to.name}:${port}/${protocol}`);
  return flows.sort();
}

/** Who the collector's own ingress admits on its ports, whatever the sender's egress allows. */
function collectorAdmits(r: Rendered, namespace: string): string[] {
  const policies = r.all<NetworkPolicyObject>("NetworkPolicy");
  const peers = peersOf(r, namespace);
  const collector = peers.find((p) => p.name === "otel-collector")!;
  return [4317, 4318, 13133, 8888]
    .flatMap((port) => peers.filter((p) => p !== collector && ingressAllows(policies, p, collector, port)).map((p) => `${p.name}:${port}`))
    .sort();
}

describe.each(VARIANTS.map((v) => [v.label, v] as const))("aks/overlays/%s tracing", (_label, variant) => {
  const namespace = variant.overlay.namespace;

  it("runs one collector whose traces pipeline goes from its OTLP receiver to a configured exporter", () => {
    const r = variant.render();
    expect(tracingProblems(r, namespace)).toEqual([]);
    const { collector } = findCollector(r);
    expect(collector!.ports).toEqual({ grpc: 4317, http: 4318 });
    const exporters = collector!.config.service!.pipelines!.traces.exporters;
    const c = mainContainer(collector!.workload);
    if (variant.overlay.name === "dev") {
      expect(exporters).toEqual(["debug"]);
      expect(envOf(c, "OTEL_BACKEND_ENDPOINT"), "dev needs no backend Secret").toBeUndefined();
    } else {
      expect(exporters).toEqual(["otlphttp/backend"]);
      // The backend and its key come from a Secret created out of band, never from git.
      for (const name of ["OTEL_BACKEND_ENDPOINT", "OTEL_BACKEND_AUTHORIZATION"])
        expect(envOf(c, name)?.valueFrom?.secretKeyRef?.name, name).toBe("otel-backend");
    }
  });

  it("renders Deployments and NetworkPolicies that validate against the Kubernetes schemas", () => {
    // manifests.test.ts validates the overlays; this covers what the component adds and patches.
    const r = variant.render();
    for (const d of r.all<IDeployment>("Deployment")) expect(() => new Deployment(d).validate(), d.metadata.name).not.toThrow();
    for (const p of r.all<ConstructorParameters<typeof NetworkPolicy>[0] & { metadata: { name: string } }>("NetworkPolicy"))
      expect(() => new NetworkPolicy(p).validate(), p.metadata.name).not.toThrow();
  });

  it("points the gateway's OTLP/HTTP export at the collector Service's HTTP port", () => {
    const r = variant.render();
    expect(gatewayTracingProblems(r, namespace)).toEqual([]);
    const gateway = mainContainer(r.workloads.find((w) => w.name === "llm-gateway")!);
    const endpoint = new URL(envOf(gateway, "OTEL_EXPORTER_OTLP_ENDPOINT")!.value!);
    const service = findCollector(r).collector!.service;
    expect(endpoint.hostname.split(".")[0]).toBe(service.metadata.name);
    expect(Number(endpoint.port)).toBe(service.spec!.ports!.find((p) => p.name === "otlp-http")!.port);
    expect(Number(envOf(gateway, "OTEL_TRACES_SAMPLER_ARG")!.value)).toBe(variant.overlay.name === "dev" ? 1 : 0.1);
  });

  it(`${variant.vllmTracing ? "starts" : "does not start"} vLLM with --otlp-traces-endpoint on the collector's port for its protocol`, () => {
    const r = variant.render();
    expect(vllmTracingProblems(r, namespace)).toEqual([]);
    const traced = tracedModelServers(r).map((w) => w.name);
    expect(traced).toEqual(variant.vllmTracing ? ["vllm-chat", "vllm-small"] : []);
  });

  it("lets spans reach the collector from the gateway (and traced vLLM) only, and the collector out to the backend only", () => {
    const r = variant.render();
    const expected = [
      "llm-gateway → otel-collector:4318",
      ...(variant.vllmTracing ? ["vllm-chat → otel-collector:4317", "vllm-small → otel-collector:4317"] : []),
      "otel-collector → backend:443/TCP",
      "otel-collector → coredns:53/TCP",
      "otel-collector → coredns:53/UDP",
    ];
    expect(traceFlows(r, namespace)).toEqual(expected.sort());
    const senders = ["llm-gateway:4318", ...(variant.vllmTracing ? ["vllm-chat:4317", "vllm-small:4317"] : [])];
    expect(collectorAdmits(r, namespace)).toEqual(senders.sort());
  });

  it("holds on each side on its own (a loosened egress elsewhere does not open the collector)", () => {
    const r = variant.render();
    const policies = r.all<NetworkPolicyObject>("NetworkPolicy");
    const peers = peersOf(r, namespace);
    const collector = peers.find((p) => p.name === "otel-collector")!;
    const senders = ["llm-gateway", ...(variant.vllmTracing ? ["vllm-chat", "vllm-small"] : [])];
    for (const p of peers.filter((x) => x.kind === "pod" && x !== collector && !senders.includes(x.name)))
      for (const port of [4317, 4318])
        expect(ingressAllows(policies, p, collector, port), `collector accepts ${p.name}:${port}`).toBe(false);
    const gateway = peers.find((p) => p.name === "llm-gateway")!;
    expect(egressAllows(policies, gateway, collector, 4317), "the gateway speaks OTLP/HTTP only").toBe(false);
    for (const p of peers.filter((x) => x !== collector && x.name !== "coredns"))
      expect(egressAllows(policies, gateway, p, 4318), `gateway sends spans to ${p.name}`).toBe(false);
  });
});

describe("the tracing rules catch", () => {
  const broken = (edit: (r: Rendered) => void): Rendered => {
    const copy = new Rendered(structuredClone(renderOverlayWith("prod", ["vllm-tracing"]).objects));
    edit(copy);
    return copy;
  };
  const container = (r: Rendered, name: string) => r.one<IDeployment>("Deployment", name).spec!.template.spec!.containers[0];
  const setEnv = (r: Rendered, name: string, key: string, value: string) => {
    const env = container(r, name).env!;
    const found = env.find((e) => e.name === key);
    if (found) found.value = value;
    else env.push({ name: key, value });
  };
  const editConfig = (r: Rendered, edit: (config: Record<string, Record<string, unknown>>) => void) => {
    const map = r.all<IConfigMap>("ConfigMap").find((m) => m.metadata.name.startsWith("otel-collector-config"))!;
    const config = parse(map.data!["config.yaml"]);
    edit(config);
    map.data!["config.yaml"] = stringify(config);
  };

  it("a gateway sending to the gRPC port, to another namespace's collector, or to a full traces URL", () => {
    const cases: [string, RegExp][] = [
      ["http://otel-collector:4317", /HTTP receiver is on 4318/],
      ["http://otel-collector.chat-llm-dev.svc:4318", /not the collector Service otel-collector in chat-llm/],
      ["http://otel-collector:4318/v1/traces", /base URL/],
      ["https://otel-collector:4318", /without TLS/],
    ];
    for (const [endpoint, problem] of cases) {
      const r = broken((x) => setEnv(x, "llm-gateway", "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint));
      expect(gatewayTracingProblems(r, "chat-llm"), endpoint).toContainEqual(expect.stringMatching(problem));
    }
    const unsampled = broken((x) => setEnv(x, "llm-gateway", "OTEL_TRACES_SAMPLER", "traceidratio"));
    expect(gatewayTracingProblems(unsampled, "chat-llm")).toContainEqual(expect.stringMatching(/parentbased_traceidratio/));
  });

  it("vLLM exporting with a protocol that does not match the port it names", () => {
    const http = broken((x) => setEnv(x, "vllm-chat", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"));
    expect(vllmTracingProblems(http, "chat-llm")).toEqual([
      "vllm-chat: OTLP/HTTP to 4317, the collector's HTTP receiver is on 4318",
      "vllm-chat: with http/protobuf the endpoint must end in /v1/traces",
    ]);
    const grpcOnHttp = broken((x) => {
      const args = container(x, "vllm-small").args!;
      args[args.indexOf("--otlp-traces-endpoint") + 1] = "http://otel-collector:4318";
    });
    expect(vllmTracingProblems(grpcOnHttp, "chat-llm")).toEqual([
      "vllm-small: OTLP/gRPC to 4318, the collector's gRPC receiver is on 4317",
    ]);
  });

  it("a pipeline that skips the otlp receiver, exports to an undefined exporter, or reads a variable nobody sets", () => {
    const noOtlp = broken((x) =>
      editConfig(x, (c) => {
        (c.service.pipelines as Record<string, { receivers: string[] }>).traces.receivers = ["zipkin"];
      }),
    );
    expect(collectorProblems(noOtlp)).toContainEqual(expect.stringMatching(/does not read the otlp receiver/));
    const undefinedExporter = broken((x) =>
      editConfig(x, (c) => {
        (c.service.pipelines as Record<string, { exporters: string[] }>).traces.exporters = ["otlp/tempo"];
      }),
    );
    expect(collectorProblems(undefinedExporter)).toContainEqual("otel-collector config: exporters otlp/tempo is used but not defined");
    const unset = broken((x) => {
      const c = container(x, "otel-collector");
      c.env = c.env!.filter((e) => e.name !== "OTEL_BACKEND_AUTHORIZATION");
    });
    expect(collectorProblems(unset)).toEqual([
      expect.stringMatching(
        /^otel-collector config: exporter otlphttp\/backend reads \$\{env:OTEL_BACKEND_AUTHORIZATION\}, which the container does not set$/,
      ),
    ]);
  });

  it("a collector policy opened to every pod, and a gateway policy without the collector", () => {
    const open = broken((x) => {
      const p = x.one<NetworkPolicyObject>("NetworkPolicy", "otel-collector");
      p.spec.ingress![0].from = [{ podSelector: {} }];
    });
    expect(collectorAdmits(open, "chat-llm")).toContainEqual("stray:4318");
    expect(collectorAdmits(open, "chat-llm")).toContainEqual("cloudflared:4318");
    const closed = broken((x) => {
      const p = x.one<NetworkPolicyObject>("NetworkPolicy", "llm-gateway");
      p.spec.egress = p.spec.egress!.filter(
        (e) => !e.to?.some((t) => t.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "otel-collector"),
      );
    });
    expect(traceFlows(closed, "chat-llm")).not.toContainEqual("llm-gateway → otel-collector:4318");
  });
});

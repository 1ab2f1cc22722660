/**
 * Scraping in the rendered overlays: ServiceMonitors reach every exporter on
 * a port that exists; only Prometheus's pods in the monitoring namespace may
 * connect to those ports; the tunnel can reach the gateway's API port and
 * never its metrics.
 */
import { readFileSync } from "node:fs";
import type { IService } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import type { ServiceMonitor } from "./crd-schemas";
import { GATEWAY_METRICS, seriesNames, VLLM_METRICS } from "./metrics-contract";
import { monitoringProblems, scrapeTargets } from "./monitoring-rules";
import { canConnect, type NetworkPolicyObject, type Peer } from "./netpol";
import { OVERLAYS, Rendered, renderOverlay, type Workload } from "./rendered";

const prometheusIn = (namespace: string, labels: Record<string, string>): Peer => ({
  kind: "pod",
  name: `${labels["app.kubernetes.io/name"] ?? "pod"}@${namespace}`,
  namespace,
  namespaceLabels: { "kubernetes.io/metadata.name": namespace },
  labels,
});

describe.each(OVERLAYS.map((o) => [o.name, o] as const))("aks/overlays/%s scraping", (_name, overlay) => {
  const r = () => renderOverlay(overlay.name);
  const asPeer = (w: Workload): Peer => ({
    kind: "pod",
    name: w.name,
    namespace: overlay.namespace,
    namespaceLabels: { "kubernetes.io/metadata.name": overlay.namespace },
    labels: w.labels,
    ports: Object.fromEntries(w.pod.containers.flatMap((c) => c.ports ?? []).map((p) => [p.name ?? "", p.containerPort])),
  });

  it("scrapes the gateway on its metrics port and every model server on vLLM's, each pod port once", () => {
    expect(monitoringProblems(r())).toEqual([]);
    const targets = scrapeTargets(r()).targets.map((t) => `${t.service} → ${t.workload.name}:${t.port}${t.path}`);
    expect(targets.sort()).toEqual([
      "llm-gateway → llm-gateway:9464/metrics",
      "vllm-chat → vllm-chat:8000/metrics",
      "vllm-small → vllm-small:8000/metrics",
    ]);
  });

  it("lets only Prometheus's pods in the monitoring namespace connect to a scrape port", () => {
    const policies = r().all<NetworkPolicyObject>("NetworkPolicy");
    const prometheus = prometheusIn("monitoring", { "app.kubernetes.io/name": "prometheus", prometheus: "k8s" });
    const grafana = prometheusIn("monitoring", { "app.kubernetes.io/name": "grafana" });
    const lookalike = prometheusIn("default", { "app.kubernetes.io/name": "prometheus" });
    const tunnel = asPeer(r().workloads.find((w) => w.name === "cloudflared")!);
    const neighbour = prometheusIn(overlay.namespace, { "app.kubernetes.io/name": "prometheus" });
    for (const t of scrapeTargets(r()).targets) {
      const target = asPeer(t.workload);
      expect(canConnect(policies, prometheus, target, t.port), `prometheus → ${t.workload.name}:${t.port}`).toBe(true);
      for (const other of [grafana, lookalike, neighbour])
        expect(canConnect(policies, other, target, t.port), `${other.name} → ${t.workload.name}:${t.port}`).toBe(false);
      if (t.workload.name === "llm-gateway") expect(canConnect(policies, tunnel, target, t.port), "tunnel → gateway metrics").toBe(false);
    }
  });

  it("routes the tunnel to the gateway's API port, which is not its metrics port", () => {
    const rendered = r();
    const gateway = rendered.one<IService>("Service", "llm-gateway");
    const metricsPort = gateway.spec!.ports!.find(
      (p) => p.name === rendered.one<ServiceMonitor>("ServiceMonitor", "llm-gateway").spec.endpoints[0].port,
    );
    const config = Object.values(rendered.configMap("cloudflared-config").data!)[0];
    const origins = [...config.matchAll(/service:\s*(http:\/\/\S+)/g)].map((m) => m[1]);
    expect(origins.length).toBeGreaterThan(0);
    for (const origin of origins) {
      expect(origin).toBe(`http://llm-gateway:${gateway.spec!.ports!.find((p) => p.name === "http")!.port}`);
      expect(origin).not.toContain(`:${metricsPort!.port}`);
    }
  });
});

describe("the monitoring rules catch", () => {
  const broken = (edit: (r: Rendered) => void): Rendered => {
    const copy = new Rendered(structuredClone(renderOverlay("prod").objects));
    edit(copy);
    return copy;
  };

  it("a monitor on a port the Service lacks, a second Service over the same pods, and an exporter nobody scrapes", () => {
    const wrongPort = broken((r) => {
      r.one<ServiceMonitor>("ServiceMonitor", "llm-gateway").spec.endpoints[0].port = "prometheus";
    });
    expect(monitoringProblems(wrongPort)).toContainEqual(expect.stringMatching(/has no port "prometheus"/));
    const twice = broken((r) => {
      r.one<IService>("Service", "vllm-chat-replicas").metadata.labels!["app.kubernetes.io/component"] = "model-server";
    });
    expect(monitoringProblems(twice)).toContainEqual(expect.stringMatching(/vllm-chat:8000\/metrics is scraped twice/));
    const unscraped = broken((r) => {
      r.objects.splice(r.objects.indexOf(r.one("ServiceMonitor", "model-servers")), 1);
    });
    expect(monitoringProblems(unscraped)).toEqual([
      "vllm-chat exports metrics but nothing scrapes it",
      "vllm-small exports metrics but nothing scrapes it",
    ]);
  });
});

describe("aks/README.md", () => {
  it("names only metrics that the contract or vLLM provide", () => {
    const readme = readFileSync("aks/README.md", "utf8");
    const known = new Set([...GATEWAY_METRICS, ...VLLM_METRICS].flatMap((m) => [m.name, ...seriesNames(m)]));
    const named = [...readme.matchAll(/`((?:gateway_|vllm:)[a-z0-9_:]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !known.has(n))).toEqual([]);
    for (const m of GATEWAY_METRICS) expect(readme, `README lists ${m.name}`).toContain(`\`${m.name}\``);
  });
});

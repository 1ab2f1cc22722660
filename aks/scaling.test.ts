/**
 * Autoscaling and disruption budgets in the rendered overlays: the rules in
 * scaling-rules.ts hold for every overlay, and each rule catches the mistake
 * it is for when a copy of the overlay is broken on purpose.
 */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { describe, expect, it } from "vitest";
import type { ScaledObject } from "./crd-schemas";
import { vectorSelectors } from "./promql";
import { OVERLAYS, Rendered, renderOverlay } from "./rendered";
import { disruptionBudgetProblems, replicaRange, scalerProblems, servedModel } from "./scaling-rules";

const prometheusQuery = (s: ScaledObject) => s.spec.triggers.find((t) => t.type === "prometheus")?.metadata.query ?? "";

describe.each(OVERLAYS.map((o) => [o.name, o] as const))("aks/overlays/%s scaling", (_name, overlay) => {
  const r = () => renderOverlay(overlay.name);
  const scaler = (rendered: Rendered, name: string) => rendered.one<ScaledObject>("ScaledObject", name);

  it("scales each Deployment from metrics its own pods export, read from Prometheus in this namespace", () => {
    expect(scalerProblems(r(), overlay.namespace)).toEqual([]);
  });

  it(`scales the gateway on replies in flight, with CPU as a floor, between ${overlay.gateway.min} and ${overlay.gateway.max}`, () => {
    const s = scaler(r(), "llm-gateway");
    expect(s.spec.triggers.map((t) => t.type)).toEqual(["prometheus", "cpu"]);
    expect(vectorSelectors(prometheusQuery(s)).map((v) => v.name)).toEqual(["gateway_streams_in_flight"]);
    expect([s.spec.minReplicaCount, s.spec.maxReplicaCount]).toEqual([overlay.gateway.min, overlay.gateway.max]);
    // A stopping gateway lets replies finish: scale-down is slower than scale-up.
    const behavior = s.spec.advanced?.horizontalPodAutoscalerConfig?.behavior;
    expect(behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThan(behavior?.scaleUp?.stabilizationWindowSeconds ?? 0);
  });

  it("scales every model server on vLLM's waiting requests for the model it serves, never to zero", () => {
    const servers = r().byComponent("model-server");
    expect(servers.map((w) => w.name).sort()).toEqual(["vllm-chat", "vllm-small"]);
    for (const w of servers) {
      const s = r()
        .all<ScaledObject>("ScaledObject")
        .find((x) => x.spec.scaleTargetRef.name === w.name);
      const [selector] = vectorSelectors(prometheusQuery(s!));
      expect(selector.name, w.name).toBe("vllm:num_requests_waiting");
      expect(selector.matchers).toContainEqual({ label: "model_name", op: "=", value: servedModel(w) });
      expect(replicaRange(r(), w).min, w.name).toBeGreaterThanOrEqual(1);
    }
  });

  it("gives every workload that can run several replicas a disruption budget that still lets a node drain", () => {
    expect(disruptionBudgetProblems(r())).toEqual([]);
    const budgeted = r()
      .all<IPodDisruptionBudget>("PodDisruptionBudget")
      .map((p) => p.metadata.name)
      .sort();
    expect(budgeted).toEqual(["cloudflared", "llm-gateway", "otel-collector", "vllm-chat", "vllm-small"]);
  });
});

describe("the scaling rules catch", () => {
  /** A deep copy of the prod overlay with one edit. */
  const broken = (edit: (objects: Rendered) => void): Rendered => {
    const copy = new Rendered(structuredClone(renderOverlay("prod").objects));
    edit(copy);
    return copy;
  };
  const setQuery = (rendered: Rendered, name: string, query: string) => {
    const t = rendered.one<ScaledObject>("ScaledObject", name).spec.triggers[0];
    if (t.type === "prometheus") t.metadata.query = query;
  };

  it("a query that reads another workload, another namespace, another model or a metric nobody exports", () => {
    const cases: [string, RegExp][] = [
      [
        'sum(vllm:num_requests_waiting{namespace="chat-llm",service="vllm-small",model_name="llama-3.1-8b-instruct"})',
        /does not front vllm-chat/,
      ],
      [
        'sum(vllm:num_requests_waiting{namespace="chat-llm-dev",service="vllm-chat",model_name="llama-3.1-8b-instruct"})',
        /namespace="chat-llm"/,
      ],
      [
        'sum(vllm:num_requests_waiting{namespace="chat-llm",service="vllm-chat",model_name="qwen2.5-1.5b-instruct"})',
        /not what vllm-chat serves/,
      ],
      ['sum(vllm:num_request_waiting{namespace="chat-llm",service="vllm-chat"})', /not a metric that vllm-chat exports/],
      ['sum(gateway_streams_in_flight{namespace="chat-llm",service="llm-gateway"})', /not a metric that vllm-chat exports/],
      ['vllm:num_requests_waiting{namespace="chat-llm",service="vllm-chat",model_name="llama-3.1-8b-instruct"}', /aggregate to one value/],
    ];
    for (const [query, problem] of cases) {
      expect(
        scalerProblems(
          broken((r) => setQuery(r, "vllm-chat", query)),
          "chat-llm",
        ),
        query,
      ).toContainEqual(expect.stringMatching(problem));
    }
  });

  it("a scaled Deployment that sets replicas, a second scaler, and a scrape nobody configured", () => {
    const withReplicas = broken((r) => {
      r.one<IDeployment>("Deployment", "llm-gateway").spec!.replicas = 3;
    });
    expect(scalerProblems(withReplicas, "chat-llm")).toContainEqual(expect.stringMatching(/sets replicas/));
    const unscraped = broken((r) => {
      r.objects.splice(r.objects.indexOf(r.one("ServiceMonitor", "llm-gateway")), 1);
    });
    expect(scalerProblems(unscraped, "chat-llm")).toContainEqual(expect.stringMatching(/must name a scraped Service/));
    const hpa = broken((r) => {
      r.objects.push({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "llm-gateway" } });
    });
    expect(scalerProblems(hpa, "chat-llm")).toContainEqual(expect.stringMatching(/HPA beside KEDA/));
  });

  it("a multi-replica workload without a budget, and a budget that blocks every drain", () => {
    const missing = broken((r) => {
      r.objects.splice(r.objects.indexOf(r.one("PodDisruptionBudget", "cloudflared")), 1);
    });
    expect(disruptionBudgetProblems(missing)).toEqual(["Deployment cloudflared runs up to 2 replicas with 0 PDBs"]);
    const blocking = broken((r) => {
      const spec = r.one<IPodDisruptionBudget>("PodDisruptionBudget", "vllm-small").spec!;
      delete spec.maxUnavailable;
      spec.minAvailable = 1;
    });
    expect(disruptionBudgetProblems(blocking)).toEqual(["PDB vllm-small: minAvailable 1 blocks every drain at 1 replicas"]);
  });
});

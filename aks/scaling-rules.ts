/**
 * Rules for autoscaling and disruption budgets over a rendered overlay, as
 * pure functions returning what is wrong (an empty list when all holds), so a
 * test can run them on the real overlays and on deliberately broken copies.
 */
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IService } from "kubernetes-models/v1/Service";
import type { ScaledObject, ServiceMonitor } from "./crd-schemas";
import { findMetric, GATEWAY_METRICS, type MetricSpec, TARGET_LABELS, VLLM_METRICS } from "./metrics-contract";
import { matchesSelector } from "./netpol";
import { vectorSelectors } from "./promql";
import { mainContainer, type Rendered, type Workload, workloadsBehind } from "./rendered";

type PrometheusTrigger = Extract<ScaledObject["spec"]["triggers"][number], { type: "prometheus" }>;

/** Which exporter a workload is: its pods' component label decides which metrics it may serve. */
const EXPORTS: Record<string, readonly MetricSpec[]> = { gateway: GATEWAY_METRICS, "model-server": VLLM_METRICS };

export const servedModel = (w: Workload): string | undefined => {
  const args = mainContainer(w).args ?? [];
  const i = args.indexOf("--served-model-name");
  return i >= 0 ? args[i + 1] : undefined;
};

/** Services scraped by some ServiceMonitor in the overlay (same namespace, selector matches). */
export function scrapedServices(r: Rendered): (IService & { metadata: { name: string } })[] {
  const monitors = r.all<ServiceMonitor>("ServiceMonitor");
  return r.all<IService>("Service").filter((s) => monitors.some((m) => matchesSelector(m.spec.selector, s.metadata.labels ?? {})));
}

/** The replica range a workload may run at: its scaler's, else its fixed count. */
export function replicaRange(r: Rendered, w: Workload): { min: number; max: number } {
  const scaler = r.all<ScaledObject>("ScaledObject").find((s) => s.spec.scaleTargetRef.name === w.name);
  if (scaler) return { min: scaler.spec.minReplicaCount ?? 0, max: scaler.spec.maxReplicaCount ?? 100 };
  const n = w.replicas ?? 1;
  return { min: n, max: n };
}

function queryProblems(r: Rendered, namespace: string, scaler: ScaledObject, target: Workload, trigger: PrometheusTrigger): string[] {
  const where = `ScaledObject ${scaler.metadata.name}`;
  const problems: string[] = [];
  const { query, serverAddress } = trigger.metadata;
  if (!/^(sum|max|avg|count)\((?![^)]*\bby\b)/.test(query))
    problems.push(`${where}: the query must aggregate to one value (KEDA refuses several)`);
  if (!/^http:\/\/[a-z0-9-]+\.monitoring\.svc(\.cluster\.local)?:\d+$/.test(serverAddress))
    problems.push(`${where}: serverAddress ${serverAddress} is not Prometheus in the monitoring namespace`);
  if (trigger.metadata.ignoreNullValues !== "false")
    problems.push(`${where}: a query with no series must be an error (ignoreNullValues "false")`);
  const exported = EXPORTS[target.labels["app.kubernetes.io/component"]] ?? [];
  const scraped = scrapedServices(r);
  for (const selector of vectorSelectors(query)) {
    const spec = findMetric(exported, selector.name);
    if (!spec) {
      problems.push(`${where}: ${selector.name} is not a metric that ${target.name} exports (metrics-contract.ts)`);
      continue;
    }
    const allowed = new Set<string>([...spec.labels, ...TARGET_LABELS, ...(selector.name.endsWith("_bucket") ? ["le"] : [])]);
    for (const m of selector.matchers) if (!allowed.has(m.label)) problems.push(`${where}: ${selector.name} has no label ${m.label}`);
    const equal = (label: string) => selector.matchers.find((m) => m.label === label && m.op === "=")?.value;
    if (equal("namespace") !== namespace)
      problems.push(`${where}: ${selector.name} must read namespace="${namespace}", not ${equal("namespace")}`);
    const service = scraped.find((s) => s.metadata.name === equal("service"));
    if (!service) problems.push(`${where}: ${selector.name} must name a scraped Service (service="…"), not ${equal("service")}`);
    else if (!workloadsBehind(r, service).some((w) => w.name === target.name))
      problems.push(`${where}: Service ${service.metadata.name} does not front ${target.name}, the workload it scales`);
    if (spec.labels.includes("model_name") && equal("model_name") !== servedModel(target))
      problems.push(`${where}: model_name="${equal("model_name")}" is not what ${target.name} serves (${servedModel(target)})`);
  }
  return problems;
}

/** Every ScaledObject scales an existing Deployment, once, from metrics its pods export. */
export function scalerProblems(r: Rendered, namespace: string): string[] {
  const problems: string[] = [];
  const scalers = r.all<ScaledObject>("ScaledObject");
  if (r.all("HorizontalPodAutoscaler").length > 0) problems.push("an HPA beside KEDA: KEDA creates and owns the HPAs");
  for (const scaler of scalers) {
    const ref = scaler.spec.scaleTargetRef;
    const where = `ScaledObject ${scaler.metadata.name}`;
    if ((ref.kind ?? "Deployment") !== "Deployment" || (ref.apiVersion ?? "apps/v1") !== "apps/v1")
      problems.push(`${where}: targets a ${ref.kind}`);
    const target = r.workloads.find((w) => w.kind === "Deployment" && w.name === ref.name);
    if (!target) {
      problems.push(`${where}: no Deployment ${ref.name} to scale`);
      continue;
    }
    if (scalers.filter((s) => s.spec.scaleTargetRef.name === ref.name).length > 1)
      problems.push(`${where}: ${ref.name} has several scalers`);
    if (target.replicas !== undefined) problems.push(`${where}: Deployment ${ref.name} sets replicas, which every apply would reset`);
    if ((scaler.spec.minReplicaCount ?? 0) < 1) problems.push(`${where}: scales to zero (a cold start is minutes long)`);
    const fallback = scaler.spec.fallback;
    if (fallback?.behavior !== "currentReplicasIfHigher")
      problems.push(`${where}: without a fallback that keeps the current size, a Prometheus outage scales it down`);
    else if (fallback.replicas < (scaler.spec.minReplicaCount ?? 0) || fallback.replicas > (scaler.spec.maxReplicaCount ?? 100))
      problems.push(`${where}: fallback.replicas ${fallback.replicas} is outside its range`);
    for (const trigger of scaler.spec.triggers)
      if (trigger.type === "prometheus") problems.push(...queryProblems(r, namespace, scaler, target, trigger));
  }
  return problems;
}

/** Every Deployment that can run more than one replica has one PDB of its own that lets a drain proceed. */
export function disruptionBudgetProblems(r: Rendered): string[] {
  const problems: string[] = [];
  const pdbs = r.all<IPodDisruptionBudget>("PodDisruptionBudget");
  for (const pdb of pdbs) {
    const covered = r.workloads.filter((w) => matchesSelector(pdb.spec?.selector as never, w.labels));
    if (covered.length !== 1) problems.push(`PDB ${pdb.metadata.name} selects ${covered.length} workloads, not one`);
  }
  for (const w of r.workloads.filter((x) => x.kind === "Deployment")) {
    const { min, max } = replicaRange(r, w);
    const mine = pdbs.filter((p) => matchesSelector(p.spec?.selector as never, w.labels));
    if (max > 1 && mine.length !== 1) problems.push(`Deployment ${w.name} runs up to ${max} replicas with ${mine.length} PDBs`);
    for (const pdb of mine) {
      const { minAvailable, maxUnavailable } = pdb.spec ?? {};
      if (typeof minAvailable === "string" || typeof maxUnavailable === "string")
        problems.push(`PDB ${pdb.metadata.name}: use counts, not percentages`);
      else if (minAvailable !== undefined && minAvailable >= min)
        problems.push(`PDB ${pdb.metadata.name}: minAvailable ${minAvailable} blocks every drain at ${min} replicas`);
      else if (maxUnavailable !== undefined && maxUnavailable < 1)
        problems.push(`PDB ${pdb.metadata.name}: maxUnavailable 0 blocks every drain`);
    }
  }
  return problems;
}

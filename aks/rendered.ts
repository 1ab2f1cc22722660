/**
 * The overlays as `kubectl kustomize` renders them, with the lookups the
 * manifest tests share (workloads, the Service in front of one, the volume
 * behind a path). kubectl is required: without it these tests fail, they do
 * not skip (CI installs it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IService } from "kubernetes-models/v1/Service";
import { expect } from "vitest";
import { parseAllDocuments } from "yaml";
import { type Labels, matchesSelector, type Peer } from "./netpol";

export const KUBECTL = process.env.KUBECTL || "kubectl";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export function render(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync(KUBECTL, ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(
        `kubectl not found (tried "${KUBECTL}"): the manifest tests need it to render the overlays. ` +
          "Install it (Debian: apt-get install -y kubernetes-client) or set KUBECTL to a kubectl binary.",
      );
    }
    throw new Error(`${KUBECTL} kustomize ${dir} failed:\n${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}

export interface Workload {
  name: string;
  kind: "Deployment" | "Job";
  labels: Record<string, string>;
  pod: IPodSpec;
  replicas?: number;
}

export class Rendered {
  constructor(readonly objects: K8sObject[]) {}
  all<T>(kind: string): (K8sObject & T)[] {
    return this.objects.filter((o) => o.kind === kind) as (K8sObject & T)[];
  }
  one<T>(kind: string, name: string): K8sObject & T {
    const found = this.all<T>(kind).find((o) => o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name} in the rendered overlay`);
    return found;
  }
  /** A generated ConfigMap, whatever its hash suffix. */
  configMap(prefix: string): IConfigMap & K8sObject {
    const found = this.all<IConfigMap>("ConfigMap").filter((c) => c.metadata.name === prefix || c.metadata.name.startsWith(`${prefix}-`));
    expect(found, `ConfigMap ${prefix}`).toHaveLength(1);
    return found[0];
  }
  get workloads(): Workload[] {
    const deployments = this.all<IDeployment>("Deployment").map((d) => ({
      name: d.metadata.name,
      kind: "Deployment" as const,
      labels: d.spec!.template.metadata!.labels!,
      pod: d.spec!.template.spec!,
      replicas: d.spec!.replicas,
    }));
    const jobs = this.all<IJob>("Job").map((j) => ({
      name: j.metadata.name,
      kind: "Job" as const,
      labels: j.spec!.template.metadata!.labels!,
      pod: j.spec!.template.spec!,
    }));
    return [...deployments, ...jobs];
  }
  byComponent(component: string): Workload[] {
    return this.workloads.filter((w) => w.labels["app.kubernetes.io/component"] === component);
  }
}

export const containersOf = (pod: IPodSpec): IContainer[] => [...(pod.initContainers ?? []), ...pod.containers];
export const mainContainer = (w: Workload) => w.pod.containers[0];
export const envOf = (c: IContainer, name: string) => c.env?.find((e) => e.name === name);

/** The volume mounted at (or above) a path in a container. */
export function volumeAt(w: Workload, c: IContainer, path: string) {
  const mount = c.volumeMounts?.find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
  return { mount, volume: w.pod.volumes?.find((v) => v.name === mount?.name) };
}

/** The Service selecting a workload's pods, and the container port behind a service port. */
export function serviceFor(r: Rendered, w: Workload): IService & K8sObject {
  const services = r
    .all<IService>("Service")
    .filter((s) => s.spec?.clusterIP !== "None" && s.spec?.selector && matchesSelector({ matchLabels: s.spec.selector }, w.labels));
  expect(services, `Service for ${w.name}`).toHaveLength(1);
  return services[0];
}

export function targetPort(w: Workload, service: IService, port: number): number | undefined {
  const entry = service.spec?.ports?.find((p) => p.port === port);
  if (!entry) return undefined;
  const target = entry.targetPort ?? entry.port;
  if (typeof target === "number") return target;
  return w.pod.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === target)?.containerPort;
}

/** Each overlay, with the replica range its gateway scales in. */
export const OVERLAYS = [
  { name: "dev", namespace: "chat-llm-dev", gateway: { min: 1, max: 2 } },
  { name: "prod", namespace: "chat-llm", gateway: { min: 3, max: 12 } },
] as const;
export type Overlay = (typeof OVERLAYS)[number];

const cache = new Map<string, K8sObject[]>();

/** An overlay rendered once per test file. */
export function renderOverlay(name: string): Rendered {
  let objects = cache.get(name);
  if (!objects) cache.set(name, (objects = render(`aks/overlays/${name}`)));
  return new Rendered(objects);
}

/**
 * An overlay with opt-in components (aks/components/*) added, as an operator
 * would list them under `components:`, rendered from a scratch kustomization
 * so the overlays in git stay as they are.
 */
export function renderOverlayWith(name: string, components: string[]): Rendered {
  const key = `${name}+${components.join("+")}`;
  let objects = cache.get(key);
  if (!objects) {
    const overlay = OVERLAYS.find((o) => o.name === name);
    const dir = mkdtempSync(join(tmpdir(), "aks-overlay-"));
    try {
      const kustomization = {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        // The overlay's namespace, for the objects the components add.
        namespace: overlay?.namespace,
        // Relative: kustomize refuses absolute roots.
        resources: [relative(dir, resolve(`aks/overlays/${name}`))],
        components: components.map((c) => relative(dir, resolve(`aks/components/${c}`))),
      };
      writeFileSync(join(dir, "kustomization.yaml"), JSON.stringify(kustomization));
      cache.set(key, (objects = render(dir)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return new Rendered(objects);
}

/** A workload's pods as a network-policy peer in a namespace, with its named container ports. */
export function podPeer(w: Workload, namespace: string): Peer {
  const namespaceLabels: Labels = { "kubernetes.io/metadata.name": namespace };
  const ports = Object.fromEntries(w.pod.containers.flatMap((c) => c.ports ?? []).map((p) => [p.name ?? "", p.containerPort]));
  return { kind: "pod", name: w.name, namespace, namespaceLabels, labels: w.labels, ports };
}

/** The workloads whose pods a Service selects. */
export function workloadsBehind(r: Rendered, service: IService): Workload[] {
  const selector = service.spec?.selector;
  if (!selector) return [];
  return r.workloads.filter((w) => matchesSelector({ matchLabels: selector }, w.labels));
}

/** The container port a named (or numbered) Service port lands on in a workload's pods. */
export function containerPortOf(w: Workload, service: IService, portName: string): number | undefined {
  const entry = service.spec?.ports?.find((p) => p.name === portName);
  return entry ? targetPort(w, service, entry.port) : undefined;
}

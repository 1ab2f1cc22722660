/**
 * Rules for tracing over a rendered overlay, as pure functions returning what
 * is wrong: the collector's configuration has a traces pipeline from its OTLP
 * receiver to an exporter that is configured; the gateway's and vLLM's
 * endpoints land on the collector's port for the protocol each speaks.
 */
import type { IService } from "kubernetes-models/v1/Service";
import { parse } from "yaml";
import { containerPortOf, envOf, mainContainer, type Rendered, type Workload, workloadsBehind } from "./rendered";

export const COLLECTOR_COMPONENT = "trace-collector";

interface CollectorConfig {
  extensions?: Record<string, { endpoint?: string } | null>;
  receivers?: Record<string, { protocols?: Record<string, { endpoint?: string } | null> } | null>;
  processors?: Record<string, unknown>;
  exporters?: Record<string, Record<string, unknown> | null>;
  service?: { extensions?: string[]; pipelines?: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }> };
}

export interface Collector {
  workload: Workload;
  service: IService & { metadata: { name: string } };
  config: CollectorConfig;
  /** Container ports the OTLP receiver listens on, by protocol. */
  ports: { grpc?: number; http?: number };
}

const portOf = (endpoint: string | undefined) => Number(/:(\d+)$/.exec(endpoint ?? "")?.[1]) || undefined;
const arg = (args: string[], flag: string) => {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return undefined;
  return args[i].includes("=") ? args[i].slice(flag.length + 1) : args[i + 1];
};

/** The collector: its one workload, the Service in front of it and its parsed configuration. */
export function findCollector(r: Rendered): { collector?: Collector; problems: string[] } {
  const [workload, ...more] = r.byComponent(COLLECTOR_COMPONENT);
  if (!workload) return { problems: ["no trace collector (component trace-collector)"] };
  if (more.length > 0) return { problems: ["more than one trace collector"] };
  const c = mainContainer(workload);
  const path = arg(c.args ?? [], "--config");
  const mount = c.volumeMounts?.find((m) => path?.startsWith(`${m.mountPath}/`));
  const volume = workload.pod.volumes?.find((v) => v.name === mount?.name);
  const data = r.all<{ data?: Record<string, string> }>("ConfigMap").find((m) => m.metadata.name === volume?.configMap?.name)?.data;
  const text = path && mount ? data?.[path.slice(mount.mountPath.length + 1)] : undefined;
  if (!text) return { problems: [`${workload.name}: --config ${path} is not a file of a mounted ConfigMap`] };
  const config = parse(text) as CollectorConfig;
  const service = r
    .all<IService>("Service")
    .find((s) => s.spec?.clusterIP !== "None" && workloadsBehind(r, s).some((w) => w.name === workload.name));
  if (!service) return { problems: [`${workload.name}: no ClusterIP Service in front of it`] };
  const protocols = config.receivers?.otlp?.protocols ?? {};
  const ports = { grpc: portOf(protocols.grpc?.endpoint), http: portOf(protocols.http?.endpoint) };
  return { collector: { workload, service, config, ports }, problems: [] };
}

/** The collector's configuration: OTLP in on its container ports, a traces pipeline to configured exporters, a health check its probes read. */
export function collectorProblems(r: Rendered): string[] {
  const { collector, problems } = findCollector(r);
  if (!collector) return problems;
  const { workload, config, ports } = collector;
  const c = mainContainer(workload);
  const containerPorts = (c.ports ?? []).map((p) => p.containerPort);
  const where = `${workload.name} config`;
  if (!ports.grpc || !ports.http) problems.push(`${where}: the otlp receiver must listen on gRPC and HTTP with explicit ports`);
  for (const port of [ports.grpc, ports.http])
    if (port && !containerPorts.includes(port)) problems.push(`${where}: ${port} is no container port`);
  const traces = config.service?.pipelines?.traces;
  if (!traces) return [...problems, `${where}: no traces pipeline`];
  if (!traces.receivers?.includes("otlp")) problems.push(`${where}: the traces pipeline does not read the otlp receiver`);
  if (!traces.processors?.includes("batch")) problems.push(`${where}: the traces pipeline does not batch`);
  if ((traces.exporters ?? []).length === 0) problems.push(`${where}: the traces pipeline exports nowhere`);
  for (const [kind, names] of [
    ["receivers", traces.receivers],
    ["processors", traces.processors],
    ["exporters", traces.exporters],
  ] as const)
    for (const name of names ?? []) if (!(name in (config[kind] ?? {}))) problems.push(`${where}: ${kind} ${name} is used but not defined`);
  // Every ${env:X} the exporters read must be set on the container, or the collector exports to "".
  for (const name of traces.exporters ?? []) {
    for (const [, variable] of JSON.stringify(config.exporters?.[name] ?? {}).matchAll(/\$\{env:([A-Z0-9_]+)\}/g))
      if (!envOf(c, variable)) problems.push(`${where}: exporter ${name} reads \${env:${variable}}, which the container does not set`);
  }
  const health = config.extensions?.health_check;
  if (!health || !config.service?.extensions?.includes("health_check")) problems.push(`${where}: no health_check extension`);
  else {
    const probePort = c.readinessProbe?.httpGet?.port;
    const probed = typeof probePort === "number" ? probePort : c.ports?.find((p) => p.name === probePort)?.containerPort;
    if (probed !== (portOf(health.endpoint) ?? 13133)) problems.push(`${where}: the probes read ${probed}, health_check listens elsewhere`);
  }
  return problems;
}

/** Where an OTLP endpoint lands: the collector's container port behind it, or why it does not. */
function landing(collector: Collector, namespace: string, endpoint: string | undefined): { port?: number; path: string; problem?: string } {
  let url: URL;
  try {
    url = new URL(endpoint ?? "");
  } catch {
    return { path: "", problem: `endpoint ${endpoint} is not a URL` };
  }
  const name = collector.service.metadata.name;
  const hosts = [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
  if (!hosts.includes(url.hostname))
    return { path: url.pathname, problem: `${url.hostname} is not the collector Service ${name} in ${namespace}` };
  if (url.protocol !== "http:") return { path: url.pathname, problem: `${endpoint}: the collector listens without TLS (http://)` };
  const entry = collector.service.spec?.ports?.find((p) => p.port === Number(url.port));
  const port = entry?.name ? containerPortOf(collector.workload, collector.service, entry.name) : undefined;
  if (port === undefined) return { path: url.pathname, problem: `${endpoint}: Service ${name} has no port ${url.port}` };
  return { port, path: url.pathname };
}

/** The gateway's OTLP/HTTP export goes to the collector's HTTP receiver, with a name and a parent-based ratio sampler. */
export function gatewayTracingProblems(r: Rendered, namespace: string): string[] {
  // A missing collector is collectorProblems' to report.
  const { collector } = findCollector(r);
  const gateway = r.byComponent("gateway")[0];
  if (!collector || !gateway) return gateway ? [] : ["no gateway"];
  const problems: string[] = [];
  const c = mainContainer(gateway);
  const value = (name: string) => envOf(c, name)?.value;
  if (value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
    problems.push("gateway: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT would override the collector");
  if (["none", "console", "file"].includes(value("OTEL_TRACES_EXPORTER") ?? "")) problems.push("gateway: OTEL_TRACES_EXPORTER is not otlp");
  const at = landing(collector, namespace, value("OTEL_EXPORTER_OTLP_ENDPOINT"));
  if (at.problem) problems.push(`gateway: ${at.problem}`);
  else if (at.port !== collector.ports.http)
    problems.push(`gateway: sends OTLP/HTTP to ${at.port}, the collector's HTTP receiver is on ${collector.ports.http}`);
  else if (at.path !== "/" && at.path !== "")
    problems.push("gateway: OTEL_EXPORTER_OTLP_ENDPOINT is the base URL (/v1/traces is appended)");
  if (!value("OTEL_SERVICE_NAME")) problems.push("gateway: no OTEL_SERVICE_NAME");
  if (value("OTEL_TRACES_SAMPLER") !== "parentbased_traceidratio")
    problems.push("gateway: the sampler must follow the worker's decision (parentbased_traceidratio)");
  const ratio = Number(value("OTEL_TRACES_SAMPLER_ARG"));
  if (!(ratio >= 0 && ratio <= 1)) problems.push(`gateway: OTEL_TRACES_SAMPLER_ARG ${value("OTEL_TRACES_SAMPLER_ARG")} is not a ratio`);
  return problems;
}

/** Model servers started with --otlp-traces-endpoint. */
export const tracedModelServers = (r: Rendered): Workload[] =>
  r.byComponent("model-server").filter((w) => arg(mainContainer(w).args ?? [], "--otlp-traces-endpoint") !== undefined);

/** Each traced vLLM exports to the collector's receiver for the protocol it speaks (gRPC unless told otherwise). */
export function vllmTracingProblems(r: Rendered, namespace: string): string[] {
  const traced = tracedModelServers(r);
  if (traced.length === 0) return [];
  const { collector } = findCollector(r);
  if (!collector) return [];
  const problems: string[] = [];
  for (const w of traced) {
    const c = mainContainer(w);
    const protocol = envOf(c, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")?.value ?? "grpc";
    const at = landing(collector, namespace, arg(c.args ?? [], "--otlp-traces-endpoint"));
    if (at.problem) problems.push(`${w.name}: ${at.problem}`);
    else if (protocol === "grpc") {
      if (at.port !== collector.ports.grpc)
        problems.push(`${w.name}: OTLP/gRPC to ${at.port}, the collector's gRPC receiver is on ${collector.ports.grpc}`);
    } else if (protocol === "http/protobuf") {
      // vLLM hands the URL to the HTTP exporter as is: it must name the traces path.
      if (at.port !== collector.ports.http)
        problems.push(`${w.name}: OTLP/HTTP to ${at.port}, the collector's HTTP receiver is on ${collector.ports.http}`);
      if (at.path !== "/v1/traces") problems.push(`${w.name}: with http/protobuf the endpoint must end in /v1/traces`);
    } else problems.push(`${w.name}: vLLM exports grpc or http/protobuf, not ${protocol}`);
    if (!envOf(c, "OTEL_SERVICE_NAME")) problems.push(`${w.name}: no OTEL_SERVICE_NAME`);
    if ((c.args ?? []).some((a) => a.startsWith("--collect-detailed-traces")))
      problems.push(`${w.name}: --collect-detailed-traces times every model step (not for production)`);
  }
  return problems;
}

export function tracingProblems(r: Rendered, namespace: string): string[] {
  return [...collectorProblems(r), ...gatewayTracingProblems(r, namespace), ...vllmTracingProblems(r, namespace)];
}

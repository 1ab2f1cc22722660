/**
 * Rules for scraping over a rendered overlay, as pure functions returning what
 * is wrong: every ServiceMonitor selects Services that exist, on ports they
 * have, that land on container ports; no pod port is scraped twice; every
 * exporter is scraped.
 */
import type { IService } from "kubernetes-models/v1/Service";
import type { ServiceMonitor } from "./crd-schemas";
import { matchesSelector } from "./netpol";
import { containerPortOf, type Rendered, type Workload, workloadsBehind } from "./rendered";

export interface ScrapeTarget {
  monitor: string;
  service: string;
  workload: Workload;
  port: number;
  path: string;
}

/** Every (pod, port) a ServiceMonitor makes Prometheus scrape, and the problems found on the way. */
export function scrapeTargets(r: Rendered): { targets: ScrapeTarget[]; problems: string[] } {
  const targets: ScrapeTarget[] = [];
  const problems: string[] = [];
  for (const monitor of r.all<ServiceMonitor>("ServiceMonitor")) {
    const where = `ServiceMonitor ${monitor.metadata.name}`;
    const ns = monitor.spec.namespaceSelector;
    if (ns?.any || ns?.matchNames?.some((n) => n !== monitor.metadata.namespace))
      problems.push(`${where}: reaches outside its own namespace`);
    const services = r.all<IService>("Service").filter((s) => matchesSelector(monitor.spec.selector, s.metadata.labels ?? {}));
    if (services.length === 0) problems.push(`${where}: selects no Service`);
    for (const service of services) {
      const behind = workloadsBehind(r, service);
      if (behind.length === 0) problems.push(`${where}: Service ${service.metadata.name} selects no pods`);
      for (const endpoint of monitor.spec.endpoints) {
        if (endpoint.port === undefined) {
          problems.push(`${where}: name the Service port (endpoint.port), not a pod port`);
          continue;
        }
        for (const workload of behind) {
          const port = containerPortOf(workload, service, endpoint.port);
          if (port === undefined)
            problems.push(`${where}: Service ${service.metadata.name} has no port "${endpoint.port}" onto ${workload.name}`);
          else
            targets.push({
              monitor: monitor.metadata.name,
              service: service.metadata.name,
              workload,
              port,
              path: endpoint.path ?? "/metrics",
            });
        }
      }
    }
  }
  const seen = new Set<string>();
  for (const t of targets) {
    const key = `${t.workload.name}:${t.port}${t.path}`;
    if (seen.has(key)) problems.push(`${key} is scraped twice (two Services or monitors over the same pods)`);
    seen.add(key);
  }
  return { targets, problems };
}

/** Workloads whose component exports Prometheus metrics and must be scraped. */
export const EXPORTERS = ["gateway", "model-server"] as const;

export function monitoringProblems(r: Rendered): string[] {
  const { targets, problems } = scrapeTargets(r);
  for (const component of EXPORTERS)
    for (const w of r.byComponent(component))
      if (!targets.some((t) => t.workload.name === w.name)) problems.push(`${w.name} exports metrics but nothing scrapes it`);
  return problems;
}

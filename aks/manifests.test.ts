/**
 * Renders every overlay with `kubectl kustomize`, validates each object
 * against the Kubernetes schemas (kubernetes-models, and crd-schemas.ts for
 * KEDA and prometheus-operator) and checks the rules the deployment depends
 * on, so that a later edit cannot quietly drop a probe, a limit or a network
 * policy. Scaling, disruption budgets and scraping have their own files
 * (scaling.test.ts, monitoring.test.ts).
 */
import { Deployment, type IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { type IJob, Job } from "kubernetes-models/batch/v1/Job";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { type IPodDisruptionBudget, PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap, type IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { type IService, Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { scaledObjectSchema, serviceMonitorSchema } from "./crd-schemas";
import { parsePools } from "./gateway/pools";
import { canConnect, egressAllows, inCidr, ingressAllows, type NetworkPolicyObject, type Peer, type Protocol } from "./netpol";
import {
  containersOf,
  envOf,
  mainContainer,
  OVERLAYS,
  type Rendered,
  renderOverlay,
  serviceFor,
  targetPort,
  volumeAt,
  type Workload,
} from "./rendered";

/** Every kind the overlays may contain, with its schema. Anything else (an HPA beside KEDA, say) fails the test. */
const SCHEMAS: Record<string, (obj: unknown) => void> = {
  "apps/v1/Deployment": (o) => new Deployment(o as IDeployment).validate(),
  "batch/v1/Job": (o) => new Job(o as IJob).validate(),
  "v1/Service": (o) => new Service(o as IService).validate(),
  "v1/ConfigMap": (o) => new ConfigMap(o as IConfigMap).validate(),
  "v1/Namespace": (o) => new Namespace(o as ConstructorParameters<typeof Namespace>[0]).validate(),
  "v1/ServiceAccount": (o) => new ServiceAccount(o as ConstructorParameters<typeof ServiceAccount>[0]).validate(),
  "v1/PersistentVolumeClaim": (o) => new PersistentVolumeClaim(o as ConstructorParameters<typeof PersistentVolumeClaim>[0]).validate(),
  "policy/v1/PodDisruptionBudget": (o) => new PodDisruptionBudget(o as IPodDisruptionBudget).validate(),
  "networking.k8s.io/v1/NetworkPolicy": (o) => new NetworkPolicy(o as ConstructorParameters<typeof NetworkPolicy>[0]).validate(),
  // Custom resources kubernetes-models does not know: our own strict schemas (crd-schemas.ts).
  "keda.sh/v1alpha1/ScaledObject": (o) => void scaledObjectSchema.parse(o),
  "monitoring.coreos.com/v1/ServiceMonitor": (o) => void serviceMonitorSchema.parse(o),
};

describe.each(OVERLAYS.map((o) => [o.name, o] as const))("aks/overlays/%s", (_name, overlay) => {
  let r: Rendered;
  beforeAll(() => {
    r = renderOverlay(overlay.name);
  });

  it("renders objects that each validate against the Kubernetes schemas", () => {
    expect(r.objects.length).toBeGreaterThan(10);
    for (const obj of r.objects) {
      const validate = SCHEMAS[`${obj.apiVersion}/${obj.kind}`];
      expect(validate, `${obj.apiVersion} ${obj.kind} ${obj.metadata.name} is not a kind this test knows`).toBeDefined();
      expect(() => validate(obj), `${obj.kind} ${obj.metadata.name}`).not.toThrow();
    }
  });

  it("puts everything in the overlay's namespace, which it creates", () => {
    expect(r.one("Namespace", overlay.namespace)).toBeDefined();
    for (const obj of r.objects.filter((o) => o.kind !== "Namespace"))
      expect(obj.metadata.namespace, `${obj.kind} ${obj.metadata.name}`).toBe(overlay.namespace);
  });

  it("exposes nothing: ClusterIP Services only, no Ingress, no host networking or paths", () => {
    for (const s of r.all<IService>("Service")) {
      expect(s.spec?.type ?? "ClusterIP", s.metadata.name).toBe("ClusterIP");
      for (const p of s.spec?.ports ?? []) expect(p.nodePort).toBeUndefined();
    }
    expect(r.objects.filter((o) => /Ingress|Gateway|Route/.test(o.kind))).toEqual([]);
    for (const w of r.workloads) {
      expect(w.pod.hostNetwork ?? false, w.name).toBe(false);
      expect(w.pod.hostPID ?? false, w.name).toBe(false);
      expect(w.pod.hostIPC ?? false, w.name).toBe(false);
      expect(
        (w.pod.volumes ?? []).filter((v) => v.hostPath),
        w.name,
      ).toEqual([]);
      for (const c of containersOf(w.pod)) {
        expect(
          (c.ports ?? []).filter((p) => p.hostPort),
          `${w.name}/${c.name}`,
        ).toEqual([]);
        expect(c.securityContext?.privileged ?? false, `${w.name}/${c.name}`).toBe(false);
        expect(c.securityContext?.allowPrivilegeEscalation, `${w.name}/${c.name}`).toBe(false);
        expect(c.securityContext?.capabilities?.drop, `${w.name}/${c.name}`).toContain("ALL");
      }
    }
  });

  it("gives every container cpu and memory requests and limits, and a pinned image", () => {
    expect(r.workloads.length).toBeGreaterThanOrEqual(5);
    for (const w of r.workloads) {
      expect(w.pod.automountServiceAccountToken, `${w.name} mounts an API token`).toBe(false);
      for (const c of containersOf(w.pod)) {
        const where = `${w.name}/${c.name}`;
        for (const kind of ["requests", "limits"] as const) {
          expect(c.resources?.[kind]?.cpu, `${where} ${kind}.cpu`).toBeDefined();
          expect(c.resources?.[kind]?.memory, `${where} ${kind}.memory`).toBeDefined();
        }
        expect(c.image, where).toMatch(/^[^:@\s]+(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/);
        expect(c.image, where).not.toMatch(/:latest$/);
      }
    }
  });

  it("probes every long-running container for readiness and liveness", () => {
    for (const w of r.workloads.filter((x) => x.kind === "Deployment")) {
      for (const c of w.pod.containers) {
        expect(c.readinessProbe, `${w.name}/${c.name} readinessProbe`).toBeDefined();
        expect(c.livenessProbe, `${w.name}/${c.name} livenessProbe`).toBeDefined();
      }
    }
  });

  describe("model servers", () => {
    it("run vLLM's OpenAI server on the GPU pool, with /dev/shm in memory, the model cache and startup probes", () => {
      const servers = r.byComponent("model-server");
      expect(servers.length).toBeGreaterThanOrEqual(2);
      for (const w of servers) {
        const c = mainContainer(w);
        expect(c.image).toMatch(/^vllm\/vllm-openai:/);
        const gpu = c.resources?.limits?.["nvidia.com/gpu"];
        expect(Number(gpu), `${w.name} GPU limit`).toBeGreaterThanOrEqual(1);
        expect(c.resources?.requests?.["nvidia.com/gpu"], `${w.name} GPU request`).toEqual(gpu);
        expect(c.startupProbe?.httpGet?.path, `${w.name} startupProbe`).toBe("/health");
        expect(c.readinessProbe?.httpGet?.path).toBe("/health");
        expect(c.livenessProbe?.httpGet?.path).toBe("/health");
        expect(Object.keys(w.pod.nodeSelector ?? {}), `${w.name} nodeSelector`).toContain("kubernetes.azure.com/agentpool");
        expect(w.pod.tolerations, `${w.name} tolerations`).toContainEqual({
          key: "sku",
          operator: "Equal",
          value: "gpu",
          effect: "NoSchedule",
        });

        const shm = volumeAt(w, c, "/dev/shm");
        expect(shm.mount?.mountPath, `${w.name} /dev/shm`).toBe("/dev/shm");
        expect(shm.volume?.emptyDir?.medium, `${w.name} /dev/shm medium`).toBe("Memory");
        const cache = volumeAt(w, c, "/models");
        expect(cache.mount?.readOnly, `${w.name} model cache read-only`).toBe(true);
        const claim = cache.volume?.persistentVolumeClaim?.claimName;
        expect(r.one("PersistentVolumeClaim", claim!)).toBeDefined();
        expect(envOf(c, "HF_HUB_OFFLINE")?.value, `${w.name} must not download`).toBe("1");
      }
    });

    it("each sit behind a ClusterIP Service on 8000 that a gateway pool points at, under the name it serves", () => {
      const pools = parsePools(JSON.parse(r.configMap("llm-gateway-pools").data!["pools.json"]));
      const upstreams = [...pools.pools.values()].flatMap((p) => p.upstreams.map((u) => ({ pool: p, url: u.url, discover: u.discover })));
      for (const w of r.byComponent("model-server")) {
        const service = serviceFor(r, w);
        expect(targetPort(w, service, 8000), `${service.metadata.name}:8000 → container port`).toBe(8000);
        const args = mainContainer(w).args ?? [];
        const served = args[args.indexOf("--served-model-name") + 1];
        expect(args).toContain("--served-model-name");
        // Directly, or (for session affinity) through its headless `-replicas` Service, each pod found by DNS.
        const upstream = upstreams.find(
          (u) =>
            u.url === `http://${service.metadata.name}:8000/v1` ||
            (u.url === `http://${service.metadata.name}-replicas:8000/v1` && u.discover === "dns"),
        );
        expect(upstream, `a pool pointing at ${service.metadata.name}`).toBeDefined();
        expect([...upstream!.pool.models, upstream!.pool.upstreamModel]).toContain(served);
      }
    });
  });

  describe("the gateway", () => {
    const gateway = () => r.workloads.find((w) => w.name === "llm-gateway")!;

    it("runs non-root with a read-only root filesystem, its replica count left to its scaler", () => {
      const w = gateway();
      expect(w.replicas, "a replicas field would reset the scaler's count on every apply").toBeUndefined();
      const c = mainContainer(w);
      expect(w.pod.securityContext?.runAsNonRoot ?? c.securityContext?.runAsNonRoot).toBe(true);
      expect(c.securityContext?.runAsNonRoot).toBe(true);
      expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(c.readinessProbe?.httpGet?.path).toBe("/readyz");
      expect(c.livenessProbe?.httpGet?.path).toBe("/healthz");
      expect(envOf(c, "GATEWAY_HOST")?.value).toBe("0.0.0.0");
    });

    it("takes its keys from a Secret, its pools from a rendered ConfigMap and Redis from a Secret", () => {
      const w = gateway();
      const c = mainContainer(w);
      const jwks = volumeAt(w, c, envOf(c, "GATEWAY_JWKS")!.value!);
      expect(jwks.volume?.secret?.secretName, "GATEWAY_JWKS volume").toBeDefined();
      const poolsPath = envOf(c, "GATEWAY_POOLS")!.value!;
      const pools = volumeAt(w, c, poolsPath);
      const configMap = r.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === pools.volume?.configMap?.name) as
        | IConfigMap
        | undefined;
      expect(configMap, "GATEWAY_POOLS ConfigMap").toBeDefined();
      expect(Object.keys(configMap!.data!)).toContain(poolsPath.split("/").at(-1));
      expect(envOf(c, "REDIS_URL")?.valueFrom?.secretKeyRef?.name).toBeDefined();
    });

    it("is a ClusterIP Service with its API on 8788 and its metrics on 9464", () => {
      const w = gateway();
      const service = serviceFor(r, w);
      expect(service.metadata.name).toBe("llm-gateway");
      expect(targetPort(w, service, 8788)).toBe(8788);
      expect(targetPort(w, service, 9464)).toBe(9464);
      expect(envOf(mainContainer(w), "GATEWAY_PORT")?.value).toBe("8788");
      expect(envOf(mainContainer(w), "GATEWAY_METRICS_PORT")?.value).toBe("9464");
    });
  });

  describe("the tunnel", () => {
    it("runs 2 cloudflared replicas with credentials from a Secret, routing only to the gateway, 404 for the rest", () => {
      const w = r.workloads.find((x) => x.name === "cloudflared")!;
      expect(w.replicas).toBe(2);
      const c = mainContainer(w);
      const configPath = c.args![c.args!.indexOf("--config") + 1];
      const config = volumeAt(w, c, configPath);
      const configMap = r.one<IConfigMap>("ConfigMap", config.volume!.configMap!.name!);
      const tunnel = parse(configMap.data![configPath.split("/").at(-1)!]) as {
        "credentials-file": string;
        ingress: { hostname?: string; path?: string; service: string }[];
      };

      const creds = volumeAt(w, c, tunnel["credentials-file"]);
      expect(creds.volume?.secret?.secretName, "credentials-file comes from a Secret").toBeDefined();

      const gatewayService = r.one<IService>("Service", "llm-gateway");
      const origin = `http://${gatewayService.metadata.name}:${gatewayService.spec!.ports![0].port}`;
      const rules = tunnel.ingress;
      expect(rules.at(-1)).toEqual({ service: "http_status:404" });
      expect(rules.length).toBeGreaterThanOrEqual(2);
      for (const rule of rules.slice(0, -1)) {
        expect(rule.service).toBe(origin);
        expect(rule.hostname).toMatch(/^[a-z0-9.-]+$/);
      }
    });
  });

  describe("network policies", () => {
    let policies: NetworkPolicyObject[];
    let peers: Record<string, Peer>;
    let modelServers: Peer[];

    beforeAll(() => {
      policies = r.all<NetworkPolicyObject>("NetworkPolicy");
      const ns = { "kubernetes.io/metadata.name": overlay.namespace };
      const pod = (w: Workload): Peer => ({
        kind: "pod",
        name: w.name,
        namespace: overlay.namespace,
        namespaceLabels: ns,
        labels: w.labels,
        ports: Object.fromEntries(w.pod.containers.flatMap((c) => c.ports ?? []).map((p) => [p.name ?? "", p.containerPort])),
      });
      const byName = (name: string) => pod(r.workloads.find((w) => w.name === name)!);
      const fetcher = r.byComponent("model-fetch")[0];
      const gatewayPolicy = policies.find((p) => p.metadata.name === "llm-gateway")!;
      const redisCidr = gatewayPolicy.spec.egress!.flatMap((e) => e.to ?? []).find((t) => t.ipBlock)!.ipBlock!.cidr;
      modelServers = r.byComponent("model-server").map(pod);
      peers = {
        gateway: byName("llm-gateway"),
        tunnel: byName("cloudflared"),
        collector: byName("otel-collector"),
        fetch: pod(fetcher),
        kubeDns: {
          kind: "pod",
          name: "coredns",
          namespace: "kube-system",
          namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" },
          labels: { "k8s-app": "kube-dns" },
        },
        stray: { kind: "pod", name: "debug", namespace: overlay.namespace, namespaceLabels: ns, labels: { app: "debug" } },
        intruder: {
          kind: "pod",
          name: "intruder",
          namespace: "default",
          namespaceLabels: { "kubernetes.io/metadata.name": "default" },
          labels: { app: "web" },
        },
        prometheus: {
          kind: "pod",
          name: "prometheus",
          namespace: "monitoring",
          namespaceLabels: { "kubernetes.io/metadata.name": "monitoring" },
          labels: { "app.kubernetes.io/name": "prometheus" },
        },
        internet: { kind: "external", name: "internet", ip: "104.16.0.1" },
        imds: { kind: "external", name: "azure-imds", ip: "169.254.169.254" },
        vnet: { kind: "external", name: "postgres-in-vnet", ip: "10.30.1.4" },
        redis: { kind: "external", name: "redis", ip: redisCidr.split("/")[0].replace(/\d+$/, (n) => String(Number(n) + 4)) },
      };
      expect(inCidr(peers.redis.kind === "external" ? peers.redis.ip : "", redisCidr)).toBe(true);
      expect(Number(redisCidr.split("/")[1]), "the Redis ipBlock is one subnet, not a range").toBeGreaterThanOrEqual(24);
      expect(redisCidr.startsWith("10.") || redisCidr.startsWith("172.") || redisCidr.startsWith("192.168.")).toBe(true);
    });

    const can = (from: Peer, to: Peer, port: number, protocol: Protocol = "TCP") => canConnect(policies, from, to, port, protocol);
    const others = (...except: Peer[]) => Object.values(peers).filter((p) => !except.includes(p));

    it("start from deny-all", () => {
      expect(
        policies.some(
          (p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress && p.spec.policyTypes?.length === 2,
        ),
      ).toBe(true);
      expect(can(peers.stray, peers.internet, 443)).toBe(false);
      expect(can(peers.intruder, peers.stray, 80)).toBe(false);
      expect(can(peers.stray, peers.kubeDns, 53, "UDP")).toBe(true);
    });

    it("let only the gateway reach the model servers, and the model servers nothing but DNS", () => {
      for (const m of modelServers) {
        expect(can(peers.gateway, m, 8000), `gateway → ${m.name}`).toBe(true);
        expect(can(peers.gateway, m, 22), `gateway → ${m.name}:22`).toBe(false);
        // Prometheus scrapes vLLM's /metrics on 8000: monitoring.test.ts.
        for (const p of [...others(peers.gateway, peers.prometheus), ...modelServers.filter((x) => x !== m)])
          expect(can(p, m, 8000), `${p.name} → ${m.name}`).toBe(false);
        expect(can(m, peers.kubeDns, 53, "UDP")).toBe(true);
        expect(can(m, peers.kubeDns, 53, "TCP")).toBe(true);
        for (const p of others(peers.kubeDns)) {
          for (const port of [80, 443, 6380, 8788, 8000]) expect(can(m, p, port), `${m.name} → ${p.name}:${port}`).toBe(false);
        }
      }
    });

    it("let the gateway reach only the model servers, Redis, the trace collector and DNS, and be reached by the tunnel (and Prometheus on 9464)", () => {
      for (const m of modelServers) expect(can(peers.gateway, m, 8000)).toBe(true);
      expect(can(peers.gateway, peers.redis, 6380)).toBe(true);
      // Spans over OTLP/HTTP; who else may reach the collector: tracing-manifests.test.ts.
      expect(can(peers.gateway, peers.collector, 4318)).toBe(true);
      expect(can(peers.gateway, peers.collector, 4317)).toBe(false);
      expect(can(peers.gateway, peers.redis, 443)).toBe(false);
      expect(can(peers.gateway, peers.kubeDns, 53, "UDP")).toBe(true);
      for (const p of others(peers.redis, peers.kubeDns, peers.gateway)) {
        for (const port of [80, 443, 2000, 5432, 8000]) expect(can(peers.gateway, p, port), `gateway → ${p.name}:${port}`).toBe(false);
      }
      expect(can(peers.tunnel, peers.gateway, 8788)).toBe(true);
      // Prometheus scrapes the metrics port only (monitoring.test.ts checks the scrape paths).
      expect(can(peers.prometheus, peers.gateway, 8788)).toBe(false);
      expect(can(peers.prometheus, peers.gateway, 9464)).toBe(true);
      for (const p of [peers.stray, peers.intruder, peers.fetch, ...modelServers])
        expect(can(p, peers.gateway, 8788), `${p.name} → gateway`).toBe(false);
    });

    it("let the tunnel out to Cloudflare and in to the gateway only, and accept nothing", () => {
      expect(can(peers.tunnel, peers.internet, 7844, "UDP")).toBe(true);
      expect(can(peers.tunnel, peers.internet, 7844, "TCP")).toBe(true);
      expect(can(peers.tunnel, peers.internet, 443)).toBe(true);
      expect(can(peers.tunnel, peers.gateway, 8788)).toBe(true);
      for (const m of modelServers) expect(can(peers.tunnel, m, 8000)).toBe(false);
      for (const p of [peers.imds, peers.vnet, peers.redis, peers.stray, peers.fetch])
        expect(can(peers.tunnel, p, 443), `tunnel → ${p.name}`).toBe(false);
      for (const p of others(peers.tunnel)) expect(can(p, peers.tunnel, 2000), `${p.name} → tunnel`).toBe(false);
    });

    it("hold on each side on its own (a loosened egress does not open a model server or the gateway)", () => {
      for (const m of modelServers) {
        for (const p of others(peers.gateway, peers.prometheus))
          expect(ingressAllows(policies, p, m, 8000), `${m.name} accepts ${p.name}`).toBe(false);
        for (const p of others(peers.kubeDns)) expect(egressAllows(policies, m, p, 443), `${m.name} sends to ${p.name}`).toBe(false);
      }
      for (const p of [peers.stray, peers.intruder, peers.fetch, ...modelServers]) {
        expect(ingressAllows(policies, p, peers.gateway, 8788), `gateway accepts ${p.name}`).toBe(false);
      }
      for (const p of [peers.internet, peers.imds, peers.vnet, peers.tunnel, peers.stray]) {
        expect(egressAllows(policies, peers.gateway, p, 443), `gateway sends to ${p.name}`).toBe(false);
      }
    });

    it("let only the model fetch job out to download weights", () => {
      expect(can(peers.fetch, peers.internet, 443)).toBe(true);
      for (const p of [peers.imds, peers.vnet, peers.redis, peers.gateway, ...modelServers])
        expect(can(peers.fetch, p, 443), `fetch → ${p.name}`).toBe(false);
      for (const p of others(peers.fetch)) expect(can(p, peers.fetch, 80)).toBe(false);
    });
  });
});

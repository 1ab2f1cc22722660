/**
 * Schemas for the two custom resources the manifests use and kubernetes-models
 * does not know: KEDA's ScaledObject (keda.sh/v1alpha1, 2.17+) and
 * prometheus-operator's ServiceMonitor (monitoring.coreos.com/v1). Written from
 * their CRD references, strict (an unknown or misspelt field fails, as the API
 * server's structural schema would prune it silently), and limited to the
 * fields these manifests may use. No network at test time.
 */
import { z } from "zod";

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS-1123 name");
const labels = z.record(z.string(), z.string());
const metadata = z.object({ name, namespace: name.optional(), labels: labels.optional(), annotations: labels.optional() });

const labelSelector = z.strictObject({
  matchLabels: labels.optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string(),
        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

const hpaPolicy = z.strictObject({
  type: z.enum(["Pods", "Percent"]),
  value: z.number().int().positive(),
  periodSeconds: z.number().int().min(1).max(1800),
});
const hpaRules = z.strictObject({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  selectPolicy: z.enum(["Max", "Min", "Disabled"]).optional(),
  policies: z.array(hpaPolicy).optional(),
});

const prometheusTrigger = z.strictObject({
  type: z.literal("prometheus"),
  name: z.string().optional(),
  metricType: z.enum(["AverageValue", "Value"]).optional(),
  useCachedMetrics: z.boolean().optional(),
  // KEDA's trigger metadata is a map of strings: a YAML number here is refused by the CRD.
  metadata: z.strictObject({
    serverAddress: z.url(),
    query: z.string().min(1),
    threshold: z.string().regex(/^\d+(\.\d+)?$/),
    activationThreshold: z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .optional(),
    ignoreNullValues: z.enum(["true", "false"]).optional(),
    unsafeSsl: z.enum(["true", "false"]).optional(),
    namespace: z.string().optional(),
    customHeaders: z.string().optional(),
    queryParameters: z.string().optional(),
    timeout: z.string().optional(),
  }),
});

const resourceTrigger = z.strictObject({
  type: z.enum(["cpu", "memory"]),
  name: z.string().optional(),
  metricType: z.enum(["Utilization", "AverageValue"]),
  metadata: z.strictObject({ value: z.string().regex(/^\d+$/), containerName: z.string().optional() }),
});

export const scaledObjectSchema = z.strictObject({
  apiVersion: z.literal("keda.sh/v1alpha1"),
  kind: z.literal("ScaledObject"),
  metadata,
  spec: z
    .strictObject({
      scaleTargetRef: z.strictObject({
        apiVersion: z.string().optional(),
        kind: z.string().optional(),
        name,
        envSourceContainerName: z.string().optional(),
      }),
      pollingInterval: z.number().int().positive().optional(),
      cooldownPeriod: z.number().int().nonnegative().optional(),
      initialCooldownPeriod: z.number().int().nonnegative().optional(),
      idleReplicaCount: z.number().int().nonnegative().optional(),
      minReplicaCount: z.number().int().nonnegative().optional(),
      maxReplicaCount: z.number().int().positive().optional(),
      fallback: z
        .strictObject({
          failureThreshold: z.number().int().positive(),
          replicas: z.number().int().positive(),
          behavior: z.enum(["static", "currentReplicas", "currentReplicasIfHigher", "currentReplicasIfLower"]).optional(),
        })
        .optional(),
      advanced: z
        .strictObject({
          restoreToOriginalReplicaCount: z.boolean().optional(),
          horizontalPodAutoscalerConfig: z
            .strictObject({
              name: z.string().optional(),
              behavior: z.strictObject({ scaleUp: hpaRules.optional(), scaleDown: hpaRules.optional() }).optional(),
            })
            .optional(),
        })
        .optional(),
      triggers: z.array(z.discriminatedUnion("type", [prometheusTrigger, resourceTrigger])).min(1),
    })
    .refine((s) => (s.minReplicaCount ?? 0) <= (s.maxReplicaCount ?? 100), "minReplicaCount must not exceed maxReplicaCount")
    .refine((s) => !s.fallback || s.triggers.some((t) => t.type === "prometheus" && (t.metricType ?? "AverageValue") === "AverageValue"), {
      message: "a fallback needs an AverageValue trigger that is not cpu or memory",
    }),
});

const duration = z.string().regex(/^(\d+(ms|s|m|h))+$/, "a Prometheus duration such as 15s");
const seconds = (d: string) =>
  [...d.matchAll(/(\d+)(ms|s|m|h)/g)].reduce((t, [, n, u]) => t + Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600 }[u]!, 0);

const endpoint = z
  .strictObject({
    port: z.string().optional(),
    targetPort: z.union([z.string(), z.number().int()]).optional(),
    path: z.string().startsWith("/").optional(),
    scheme: z.enum(["http", "https"]).optional(),
    interval: duration.optional(),
    scrapeTimeout: duration.optional(),
    honorLabels: z.boolean().optional(),
  })
  .refine((e) => (e.port === undefined) !== (e.targetPort === undefined), "an endpoint names exactly one of port and targetPort")
  .refine(
    (e) => !e.interval || !e.scrapeTimeout || seconds(e.scrapeTimeout) <= seconds(e.interval),
    "scrapeTimeout must not exceed interval",
  );

export const serviceMonitorSchema = z.strictObject({
  apiVersion: z.literal("monitoring.coreos.com/v1"),
  kind: z.literal("ServiceMonitor"),
  metadata,
  spec: z.strictObject({
    selector: labelSelector,
    namespaceSelector: z.strictObject({ any: z.boolean().optional(), matchNames: z.array(name).optional() }).optional(),
    endpoints: z.array(endpoint).min(1),
    jobLabel: z.string().optional(),
    targetLabels: z.array(z.string()).optional(),
    podTargetLabels: z.array(z.string()).optional(),
    sampleLimit: z.number().int().positive().optional(),
  }),
});

export type ScaledObject = z.infer<typeof scaledObjectSchema>;
export type ServiceMonitor = z.infer<typeof serviceMonitorSchema>;

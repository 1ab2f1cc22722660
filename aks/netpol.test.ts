import { describe, expect, it } from "vitest";
import { canConnect, inCidr, matchesSelector, type NetworkPolicyObject, type Peer } from "./netpol";

const pod = (name: string, labels: Record<string, string>, namespace = "ns", ports?: Record<string, number>): Peer => ({
  kind: "pod",
  name,
  namespace,
  namespaceLabels: { "kubernetes.io/metadata.name": namespace },
  labels,
  ports,
});
const policy = (spec: NetworkPolicyObject["spec"], namespace = "ns"): NetworkPolicyObject => ({ metadata: { name: "p", namespace }, spec });

describe("netpol", () => {
  const a = pod("a", { app: "a" });
  const b = pod("b", { app: "b" }, "ns", { http: 8080 });
  const outside = pod("c", { app: "a" }, "other");
  const internet: Peer = { kind: "external", name: "internet", ip: "8.8.8.8" };

  it("leaves pods that no policy selects open", () => {
    expect(canConnect([], a, b, 80)).toBe(true);
    expect(canConnect([policy({ podSelector: { matchLabels: { app: "zzz" } }, policyTypes: ["Ingress", "Egress"] })], a, b, 80)).toBe(true);
  });

  it("needs both the sender's egress and the receiver's ingress", () => {
    const denyAll = policy({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const bIn = policy({
      podSelector: { matchLabels: { app: "b" } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: "a" } } }], ports: [{ port: "http" }] }],
    });
    const aOut = policy({
      podSelector: { matchLabels: { app: "a" } },
      policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: { matchLabels: { app: "b" } } }] }],
    });
    expect(canConnect([denyAll, bIn], a, b, 8080)).toBe(false);
    expect(canConnect([denyAll, bIn, aOut], a, b, 8080)).toBe(true);
    expect(canConnect([denyAll, bIn, aOut], a, b, 9090)).toBe(false); // named port resolves to 8080 only
    expect(canConnect([bIn], outside, b, 8080)).toBe(false); // a bare podSelector means the policy's namespace
    expect(canConnect([denyAll, bIn, aOut], a, b, 8080, "UDP")).toBe(false);
  });

  it("matches namespaces, expressions and ipBlocks with exceptions", () => {
    expect(matchesSelector({ matchExpressions: [{ key: "app", operator: "In", values: ["a", "b"] }] }, { app: "b" })).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, { app: "b" })).toBe(false);
    const out = policy({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } } }] },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["8.8.0.0/16"] } }], ports: [{ port: 443 }] },
      ],
    });
    expect(canConnect([out], a, outside, 1)).toBe(true);
    expect(canConnect([out], a, b, 1)).toBe(false);
    expect(canConnect([out], a, internet, 443)).toBe(false);
    expect(canConnect([out], a, { kind: "external", name: "x", ip: "1.1.1.1" }, 443)).toBe(true);
    expect(inCidr("10.225.0.4", "10.225.0.0/28")).toBe(true);
    expect(inCidr("10.225.0.16", "10.225.0.0/28")).toBe(false);
  });
});

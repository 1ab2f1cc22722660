/**
 * A small evaluator of Kubernetes NetworkPolicies, enough to ask "may this
 * pod reach that peer on this port?" of rendered manifests. It follows the
 * API's semantics: a pod selected by no policy of a direction is open in
 * that direction; otherwise the union of the selecting policies' rules
 * decides, and a connection needs both the sender's egress and the
 * receiver's ingress. ipBlocks are taken to match addresses outside the
 * cluster only.
 */

export type Labels = Record<string, string>;

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface Rule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: PolicyPort[];
}

export interface NetworkPolicyObject {
  metadata: { name?: string; namespace?: string };
  spec: { podSelector: LabelSelector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
}

export type Peer =
  | { kind: "pod"; name: string; namespace: string; namespaceLabels: Labels; labels: Labels; ports?: Record<string, number> }
  | { kind: "external"; name: string; ip: string };

export type Protocol = "TCP" | "UDP";

export function matchesSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    const ok = { In: inValues, NotIn: !inValues, Exists: has, DoesNotExist: !has }[e.operator];
    if (!ok) return false;
  }
  return true;
}

const ipToInt = (ip: string) => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToInt(base) / size) * size;
  const n = ipToInt(ip);
  return n >= start && n < start + size;
}

function peerMatches(entry: PolicyPeer, peer: Peer, policyNamespace: string): boolean {
  if (entry.ipBlock) {
    return peer.kind === "external" && inCidr(peer.ip, entry.ipBlock.cidr) && !(entry.ipBlock.except ?? []).some((c) => inCidr(peer.ip, c));
  }
  if (peer.kind !== "pod") return false;
  const namespaceOk = entry.namespaceSelector
    ? matchesSelector(entry.namespaceSelector, peer.namespaceLabels)
    : peer.namespace === policyNamespace;
  return namespaceOk && matchesSelector(entry.podSelector, peer.labels);
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: Protocol, target: Peer): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    const number = typeof p.port === "number" ? p.port : target.kind === "pod" ? target.ports?.[p.port] : undefined;
    return number !== undefined && port >= number && port <= (p.endPort ?? number);
  });
}

const types = (p: NetworkPolicyObject) => p.spec.policyTypes ?? (p.spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);

function directionAllows(
  policies: NetworkPolicyObject[],
  self: Peer,
  other: Peer,
  direction: "Ingress" | "Egress",
  port: number,
  protocol: Protocol,
  target: Peer,
): boolean {
  if (self.kind !== "pod") return true; // the outside world has no policies
  const selecting = policies.filter(
    (p) =>
      (p.metadata.namespace ?? "") === self.namespace && matchesSelector(p.spec.podSelector, self.labels) && types(p).includes(direction),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    ((direction === "Ingress" ? p.spec.ingress : p.spec.egress) ?? []).some((rule) => {
      const peers = direction === "Ingress" ? rule.from : rule.to;
      const peerOk = !peers || peers.length === 0 || peers.some((entry) => peerMatches(entry, other, self.namespace));
      return peerOk && portMatches(rule.ports, port, protocol, target);
    }),
  );
}

/** Does `from`'s egress let it try `to` on this port (whatever `to` accepts)? */
export function egressAllows(policies: NetworkPolicyObject[], from: Peer, to: Peer, port: number, protocol: Protocol = "TCP"): boolean {
  return directionAllows(policies, from, to, "Egress", port, protocol, to);
}

/** Does `to`'s ingress accept `from` on this port (whatever `from` may send)? */
export function ingressAllows(policies: NetworkPolicyObject[], from: Peer, to: Peer, port: number, protocol: Protocol = "TCP"): boolean {
  return directionAllows(policies, to, from, "Ingress", port, protocol, to);
}

/** May `from` open a connection to `to` on this port? Both sides must agree. */
export function canConnect(policies: NetworkPolicyObject[], from: Peer, to: Peer, port: number, protocol: Protocol = "TCP"): boolean {
  return egressAllows(policies, from, to, port, protocol) && ingressAllows(policies, from, to, port, protocol);
}

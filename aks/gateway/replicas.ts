/**
 * Replica discovery: an upstream marked `discover: "dns"` names a headless
 * Service, whose DNS answer lists the ready model-server pods. Each address
 * becomes an upstream of its own (same scheme, port and path), so session
 * affinity (affinity.ts) hashes a conversation onto one pod rather than onto
 * a Service that would spread its turns. The answer is asked again every few
 * seconds; a pod that stops being ready drops out of the answer, and its
 * conversations move to their runner-up.
 */
import type { PoolTable, Upstream } from "./pools";
import type { Logger } from "./types";

/** A host's addresses (IPv4 or IPv6); rejects or answers [] when it has none. */
export type Resolve = (host: string) => Promise<string[]>;

export interface Discovery {
  /** Asks every discovered host again now. */
  refresh(): Promise<void>;
  close(): void;
}

/** One upstream per address, in a stable order, each keeping the weight, port and path of the configured one. */
export function expandUpstream(upstream: Upstream, addresses: readonly string[]): Upstream[] {
  return [...new Set(addresses)].sort().map((address) => {
    const url = new URL(upstream.url);
    url.hostname = address.includes(":") ? `[${address}]` : address;
    return { url: url.toString().replace(/\/+$/, ""), weight: upstream.weight };
  });
}

export function startReplicaDiscovery(table: PoolTable, options: { resolve: Resolve; intervalMs: number; log: Logger }): Discovery {
  const pools = [...table.pools.values()].filter((p) => p.upstreams.some((u) => u.discover === "dns"));
  // The last good answer per configured URL: a failed or empty lookup keeps it rather than emptying a pool.
  const known = new Map<string, Upstream[]>();

  const lookup = async (upstream: Upstream): Promise<Upstream[]> => {
    const host = new URL(upstream.url).hostname;
    try {
      const addresses = await options.resolve(host);
      if (addresses.length > 0) {
        const found = expandUpstream(upstream, addresses);
        known.set(upstream.url, found);
        return found;
      }
      options.log({ msg: "replicas_not_found", host });
    } catch (err) {
      options.log({ msg: "replicas_not_found", host, error: err instanceof Error ? err.message : String(err) });
    }
    // Until a first answer, the Service name itself (any one pod) is better than nothing.
    return known.get(upstream.url) ?? [upstream];
  };

  let running: Promise<void> | undefined;
  const ask = async () => {
    await Promise.all(
      pools.map(async (pool) => {
        const live = (await Promise.all(pool.upstreams.map((u) => (u.discover === "dns" ? lookup(u) : [u])))).flat();
        const before = (pool.live ?? pool.upstreams).map((u) => u.url).join(" ");
        pool.live = live;
        const after = live.map((u) => u.url).join(" ");
        if (after !== before) options.log({ msg: "replicas_changed", pool: pool.name, upstreams: live.map((u) => u.url) });
      }),
    );
  };

  // One round at a time: a slow DNS answer does not pile rounds up.
  const refresh = () => (running ??= ask().finally(() => (running = undefined)));

  const timer = pools.length > 0 && options.intervalMs > 0 ? setInterval(() => void refresh(), options.intervalMs) : undefined;
  timer?.unref();
  return { refresh, close: () => clearInterval(timer) };
}

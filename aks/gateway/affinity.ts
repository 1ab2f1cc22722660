/**
 * Session affinity: a conversation's turns go to the same model replica, so
 * its prompt prefix is still in that replica's KV cache (vLLM's prefix
 * caching). Rendezvous (highest random weight) hashing ranks a pool's
 * upstreams for a key: every gateway replica computes the same order with no
 * shared state, adding or removing one upstream moves only the keys it wins
 * or held, and the runner-up is the natural place to fail over to.
 */
import { createHash } from "node:crypto";

const TWO_53 = 2 ** 53;

/** A uniform number in (0, 1) from key and upstream: 53 bits of SHA-256. */
export function unitHash(key: string, id: string): number {
  const digest = createHash("sha256").update(key).update("\0").update(id).digest();
  const high = digest.readUInt32BE(0) * 2 ** 21;
  const low = digest.readUInt32BE(4) >>> 11;
  return (high + low + 0.5) / TWO_53;
}

/**
 * The upstreams in the key's order, best first. Weighted rendezvous
 * (score `-weight / ln h`): an upstream of weight 2 wins twice the keys of one
 * of weight 1. Ties, which need equal hashes, fall back to the URL.
 */
export function rendezvousOrder<T extends { url: string; weight: number }>(items: readonly T[], key: string): T[] {
  return items
    .map((item) => ({ item, score: -item.weight / Math.log(unitHash(key, item.url)) }))
    .sort((a, b) => b.score - a.score || (a.item.url < b.item.url ? -1 : 1))
    .map((x) => x.item);
}

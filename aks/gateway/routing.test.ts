/**
 * Session-affine routing through the real gateway app: several stand-in
 * model replicas in one pool, each recording what it served, and the
 * conversation carried by the tunnel token's subject.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rendezvousOrder } from "./affinity";
import { createGatewayApp } from "./app";
import { createRedisReplayGuard, createTokenVerifier } from "./auth";
import { createRedisLimits } from "./limits";
import { createMetrics } from "./metrics";
import { parsePools } from "./pools";
import {
  connectRedis,
  contentOf,
  devReply,
  ISSUER,
  makeKey,
  metricValue,
  mintToken,
  readSse,
  startUpstream,
  type TestKey,
  type TestRedis,
  type Upstream,
} from "./test-kit";

describe("a pool of several replicas", () => {
  let key: TestKey;
  let r: TestRedis;
  let replicas: Upstream[];
  beforeAll(async () => {
    key = await makeKey("routing-key");
    r = connectRedis();
    replicas = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((u) => u.close()));
    await r.cleanup();
  });

  it("keeps a conversation on one replica, spreads conversations over all, and fails over to the runner-up", async () => {
    const pools = parsePools({ pools: { main: { models: ["chat"], upstreams: replicas.map((u) => u.url), retries: 2 } } });
    const metrics = createMetrics(pools.pools.keys());
    const app = createGatewayApp({
      verify: createTokenVerifier({ jwks: { keys: [key.publicJwk] }, issuer: ISSUER, replay: createRedisReplayGuard(r.redis, r.prefix) }),
      pools,
      limits: createRedisLimits(r.redis, { maxConcurrent: 2, dailyTokens: 100_000, leaseMs: 60_000, prefix: r.prefix }),
      metrics,
      log: () => undefined,
    });
    let seq = 0;
    /** One turn of conversation `conversation`; answers the index of the replica that served it. */
    const turn = async (conversation: string): Promise<number> => {
      const marker = `turn-${seq++}-${crypto.randomUUID().slice(0, 8)}`;
      const token = await mintToken(key, { sub: conversation, uid: `user-of-${conversation}` });
      const res = await app.request("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: marker }] }),
      });
      expect(res.status).toBe(200);
      expect(contentOf((await readSse(res)).data)).toBe(devReply(marker).text);
      const served = replicas.map((u, i) => (u.calls.some((c) => JSON.stringify(c.body).includes(marker)) ? i : -1)).filter((i) => i >= 0);
      expect(served).toHaveLength(1);
      return served[0];
    };

    const conversations = Array.from({ length: 30 }, (_, i) => `user:u${i}/character:c${i}/chat:${crypto.randomUUID()}`);
    const home = new Map<string, number>();
    for (const c of conversations) home.set(c, await turn(c));
    for (const c of conversations) expect(await turn(c), c).toBe(home.get(c));
    // Every replica is home to some conversations.
    expect(new Set(home.values()).size).toBe(replicas.length);

    // One replica goes away: its conversations move to their runner-up, the others stay where they were.
    const down = home.get(conversations[0])!;
    await replicas[down].close();
    const order = (c: string) =>
      rendezvousOrder(pools.pools.get("main")!.upstreams, c).map((u) => replicas.findIndex((x) => x.url === u.url));
    let moved = 0;
    for (const c of conversations) {
      const expected = home.get(c) === down ? order(c)[1] : home.get(c);
      if (home.get(c) === down) moved++;
      expect(await turn(c), c).toBe(expected);
      // And stays there while its replica is down.
      if (home.get(c) === down) expect(await turn(c), c).toBe(expected);
    }
    expect(moved).toBeGreaterThan(0);
    await vi.waitFor(async () =>
      expect(await metricValue(metrics, "gateway_upstream_failures_total", { pool: "main", reason: "error" })).toBe(2 * moved),
    );
  });
});

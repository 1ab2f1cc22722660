/**
 * Replica discovery: a headless Service's addresses as upstreams of their
 * own. The stand-in "pods" are development LLMs on 127.0.0.1-3, one port,
 * and the DNS answer is the test's to change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevLlm, startDevLlm } from "../../dev/dev-llm";
import { rendezvousOrder } from "./affinity";
import { createGatewayApp } from "./app";
import { createRedisReplayGuard, createTokenVerifier } from "./auth";
import { createRedisLimits } from "./limits";
import { createMetrics } from "./metrics";
import { parsePools } from "./pools";
import { expandUpstream, startReplicaDiscovery } from "./replicas";
import { connectRedis, ISSUER, makeKey, metricValue, mintToken, readSse, type TestKey, type TestRedis } from "./test-kit";
import type { LogLine } from "./types";

describe("expandUpstream", () => {
  it("makes one upstream per address, keeping scheme, port, path and weight", () => {
    const upstream = { url: "http://vllm-chat-replicas:8000/v1", weight: 2, discover: "dns" as const };
    expect(expandUpstream(upstream, ["10.0.0.9", "10.0.0.3", "10.0.0.9", "fd00::5"])).toEqual([
      { url: "http://10.0.0.3:8000/v1", weight: 2 },
      { url: "http://10.0.0.9:8000/v1", weight: 2 },
      { url: "http://[fd00::5]:8000/v1", weight: 2 },
    ]);
  });
});

describe("a pool behind a headless Service", () => {
  const hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
  let pods: DevLlm[];
  let port: number;
  let key: TestKey;
  let r: TestRedis;
  beforeAll(async () => {
    key = await makeKey("replicas-key");
    r = connectRedis();
    const first = await startDevLlm({ host: hosts[0], wordDelayMs: 0 });
    port = Number(new URL(first.url).port);
    pods = [first, ...(await Promise.all(hosts.slice(1).map((host) => startDevLlm({ host, port, wordDelayMs: 0 }))))];
  });
  afterAll(async () => {
    await Promise.all(pods.map((p) => p.close()));
    await r.cleanup();
  });

  it("hashes conversations onto the pods DNS lists, and moves only a departed pod's conversations", async () => {
    let answer: string[] | Error = [...hosts];
    const logs: LogLine[] = [];
    const pools = parsePools({
      pools: { main: { models: ["chat"], upstreams: [{ url: `http://model-replicas.test:${port}/v1`, discover: "dns" }], retries: 1 } },
    });
    const discovery = startReplicaDiscovery(pools, {
      resolve: async (host) => {
        expect(host).toBe("model-replicas.test");
        if (answer instanceof Error) throw answer;
        return answer;
      },
      intervalMs: 0,
      log: (l) => logs.push(l),
    });
    await discovery.refresh();
    expect(pools.pools.get("main")!.live?.map((u) => u.url)).toEqual(hosts.map((h) => `http://${h}:${port}/v1`));

    const metrics = createMetrics(pools.pools.keys());
    const app = createGatewayApp({
      verify: createTokenVerifier({ jwks: { keys: [key.publicJwk] }, issuer: ISSUER, replay: createRedisReplayGuard(r.redis, r.prefix) }),
      pools,
      limits: createRedisLimits(r.redis, { maxConcurrent: 2, dailyTokens: 100_000, leaseMs: 60_000, prefix: r.prefix }),
      metrics,
      log: () => undefined,
    });
    let seq = 0;
    /** One turn; answers the pod (by its address) that served it. */
    const turn = async (conversation: string): Promise<string> => {
      const marker = `pod-turn-${seq++}-${crypto.randomUUID().slice(0, 8)}`;
      const res = await app.request("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await mintToken(key, { sub: conversation })}` },
        body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: marker }] }),
      });
      expect(res.status).toBe(200);
      await readSse(res);
      const served = hosts.filter((_, i) => pods[i].requests().some((q) => JSON.stringify(q.body).includes(marker)));
      expect(served).toHaveLength(1);
      return served[0];
    };

    const conversations = Array.from({ length: 30 }, (_, i) => `user:u${i}/character:c/chat:${crypto.randomUUID()}`);
    const home = new Map<string, string>();
    for (const c of conversations) home.set(c, await turn(c));
    for (const c of conversations) expect(await turn(c)).toBe(home.get(c));
    expect(new Set(home.values()).size).toBe(3);

    // A pod stops being ready: DNS no longer lists it. Its conversations go to their runner-up
    // without a failed attempt; the others stay.
    const gone = "127.0.0.2";
    const order = (c: string) =>
      rendezvousOrder(
        hosts.map((h) => ({ url: `http://${h}:${port}/v1`, weight: 1 })),
        c,
      );
    answer = hosts.filter((h) => h !== gone);
    await discovery.refresh();
    for (const c of conversations) {
      const expected = home.get(c) === gone ? new URL(order(c)[1].url).hostname : home.get(c);
      expect(await turn(c)).toBe(expected);
    }
    expect(await metricValue(metrics, "gateway_upstream_failures_total", { pool: "main", reason: "error" })).toBeUndefined();

    // A failed lookup keeps the pods last seen.
    answer = new Error("SERVFAIL");
    await discovery.refresh();
    expect(pools.pools.get("main")!.live).toHaveLength(2);
    expect(logs.map((l) => l.msg)).toContain("replicas_not_found");
    expect(logs.filter((l) => l.msg === "replicas_changed")).toHaveLength(2);
    discovery.close();
  });
});

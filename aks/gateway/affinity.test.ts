import { describe, expect, it } from "vitest";
import { rendezvousOrder, unitHash } from "./affinity";

const replicas = ["http://10.0.0.1:8000/v1", "http://10.0.0.2:8000/v1", "http://10.0.0.3:8000/v1", "http://10.0.0.4:8000/v1"].map(
  (url) => ({ url, weight: 1 }),
);
const keys = Array.from({ length: 2000 }, (_, i) => `session-${i}`);
const winner = (items: typeof replicas, key: string) => rendezvousOrder(items, key)[0].url;

describe("rendezvousOrder", () => {
  it("gives a key the same order every time, whatever order the upstreams are listed in", () => {
    for (const key of keys.slice(0, 50)) {
      const order = rendezvousOrder(replicas, key).map((r) => r.url);
      expect(rendezvousOrder([...replicas].reverse(), key).map((r) => r.url)).toEqual(order);
      expect(new Set(order).size).toBe(replicas.length);
    }
  });

  it("spreads keys evenly over equal upstreams", () => {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(winner(replicas, key), (counts.get(winner(replicas, key)) ?? 0) + 1);
    expect(counts.size).toBe(4);
    for (const n of counts.values()) expect(n / keys.length).toBeGreaterThan(0.2);
    for (const n of counts.values()) expect(n / keys.length).toBeLessThan(0.3);
  });

  it("gives an upstream keys in proportion to its weight", () => {
    const weighted = [
      { url: "http://a/v1", weight: 3 },
      { url: "http://b/v1", weight: 1 },
    ];
    const share = keys.filter((k) => winner(weighted, k) === "http://a/v1").length / keys.length;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.8);
  });

  it("moves only the keys of an upstream that leaves, each to its runner-up", () => {
    const gone = replicas[2].url;
    const rest = replicas.filter((r) => r.url !== gone);
    for (const key of keys) {
      const before = rendezvousOrder(replicas, key);
      const after = winner(rest, key);
      expect(after).toBe(before[0].url === gone ? before[1].url : before[0].url);
    }
  });

  it("takes only a fair share of keys onto an upstream that joins", () => {
    const joined = [...replicas, { url: "http://10.0.0.5:8000/v1", weight: 1 }];
    const moved = keys.filter((k) => winner(replicas, k) !== winner(joined, k));
    expect(moved.every((k) => winner(joined, k) === "http://10.0.0.5:8000/v1")).toBe(true);
    expect(moved.length / keys.length).toBeLessThan(0.25);
  });
});

describe("unitHash", () => {
  it("stays strictly between 0 and 1", () => {
    for (const key of keys.slice(0, 200)) {
      const h = unitHash(key, "u");
      expect(h).toBeGreaterThan(0);
      expect(h).toBeLessThan(1);
    }
  });
});

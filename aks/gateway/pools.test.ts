import { describe, expect, it } from "vitest";
import { rendezvousOrder } from "./affinity";
import { DEFAULT_TIMEOUTS, findPool, listModels, modelWindow, parsePools, planAttempts, weightedOrder } from "./pools";

const file = {
  pools: {
    big: {
      models: ["llama-8b", "chat"],
      upstreams: [{ url: "http://a:8000/v1/", weight: 3 }, "http://b:8000/v1"],
      retries: 2,
      fallback: "small",
      timeouts: { firstTokenMs: 1000 },
    },
    small: { models: ["qwen-1.5b"], upstreams: ["http://c:8000/v1"], retries: 0, fallback: "seed" },
    seed: { type: "legacy-generate", models: ["legacy"], upstreams: ["http://seed:8080"], retries: 0, apiKeyEnv: "SEED_KEY" },
  },
};

describe("parsePools", () => {
  const table = parsePools(file, { SEED_KEY: "k" });

  it("reads pools, defaults and upstream weights", () => {
    const big = table.pools.get("big")!;
    expect(big.type).toBe("openai");
    expect(big.upstreams).toEqual([
      { url: "http://a:8000/v1", weight: 3 },
      { url: "http://b:8000/v1", weight: 1 },
    ]);
    expect(big.timeouts).toEqual({ ...DEFAULT_TIMEOUTS, firstTokenMs: 1000 });
    expect(table.pools.get("seed")).toMatchObject({ type: "legacy-generate", apiKey: "k" });
    expect(listModels(table)).toEqual(["chat", "legacy", "llama-8b", "qwen-1.5b"]);
  });

  it("routes by model name, with no catch-all unless one is configured", () => {
    expect(findPool(table, "chat")?.name).toBe("big");
    expect(findPool(table, "qwen-1.5b")?.name).toBe("small");
    expect(findPool(table, "gpt-4")).toBeUndefined();
    const dev = parsePools({ pools: { dev: { models: ["*"], upstreams: ["http://127.0.0.1:8790/v1"] } } });
    expect(findPool(dev, "anything")?.name).toBe("dev");
  });

  it.each([
    ["an unknown fallback", { pools: { a: { models: ["m"], upstreams: ["http://a/v1"], fallback: "zzz" } } }, /fallback zzz/],
    ["a pool falling back on itself", { pools: { a: { models: ["m"], upstreams: ["http://a/v1"], fallback: "a" } } }, /fallback a/],
    [
      "a model in two pools",
      { pools: { a: { models: ["m"], upstreams: ["http://a/v1"] }, b: { models: ["m"], upstreams: ["http://b/v1"] } } },
      /listed by pools/,
    ],
    ["no upstreams", { pools: { a: { models: ["m"], upstreams: [] } } }, /invalid pools file/],
    ["a bad URL", { pools: { a: { models: ["m"], upstreams: ["not a url"] } } }, /invalid pools file/],
    ["an unknown field", { pools: { a: { models: ["m"], upstreams: ["http://a/v1"], wieght: 2 } } }, /invalid pools file/],
    ["no pools", { pools: {} }, /no pools/],
    ["an unset api key variable", file, /SEED_KEY is not set/],
  ])("refuses %s", (_name, input, message) => {
    expect(() => parsePools(input, {})).toThrow(message);
  });
});

describe("planAttempts", () => {
  const table = parsePools(file, { SEED_KEY: "k" });

  it("tries the pool retries+1 times, then the fallback chain with each pool's own model name", () => {
    const plan = planAttempts(table, "chat", () => 0.5);
    expect(plan.map((a) => [a.pool.name, a.upstream.url, a.model, a.fallback])).toEqual([
      ["big", "http://a:8000/v1", "chat", false],
      ["big", "http://b:8000/v1", "chat", false],
      ["big", "http://a:8000/v1", "chat", false],
      ["small", "http://c:8000/v1", "qwen-1.5b", true],
      ["seed", "http://seed:8080", "legacy", true],
    ]);
  });

  it("follows a conversation key's rendezvous order, the same for every call, and its runner-up next", () => {
    const three = parsePools({ pools: { p: { models: ["m"], upstreams: ["http://a/v1", "http://b/v1", "http://c/v1"], retries: 2 } } });
    for (const key of ["session-1", "session-2", "session-3", "session-4"]) {
      const expected = rendezvousOrder(three.pools.get("p")!.upstreams, key).map((u) => u.url);
      const plan = planAttempts(three, "m", Math.random, key).map((a) => a.upstream.url);
      expect(plan).toEqual(expected);
      expect(planAttempts(three, "m", Math.random, key).map((a) => a.upstream.url)).toEqual(plan);
    }
  });

  it("is empty for a model no pool serves", () => {
    expect(planAttempts(table, "gpt-4")).toEqual([]);
  });

  it("stops at a fallback cycle", () => {
    const cyclic = parsePools({
      pools: {
        a: { models: ["x"], upstreams: ["http://a/v1"], retries: 0, fallback: "b" },
        b: { models: ["y"], upstreams: ["http://b/v1"], retries: 0, fallback: "a" },
      },
    });
    expect(planAttempts(cyclic, "x").map((a) => a.pool.name)).toEqual(["a", "b"]);
  });
});

describe("weightedOrder", () => {
  it("puts heavier upstreams first in proportion to their weight", () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const items = [
      { id: "heavy", weight: 3 },
      { id: "light", weight: 1 },
    ];
    let heavyFirst = 0;
    for (let i = 0; i < 4000; i++) if (weightedOrder(items, random)[0].id === "heavy") heavyFirst++;
    expect(heavyFirst / 4000).toBeGreaterThan(0.7);
    expect(heavyFirst / 4000).toBeLessThan(0.8);
  });
});

describe("modelWindow", () => {
  it("is the smallest window among the pools a model may be answered by, or unknown", () => {
    const table = parsePools({
      pools: {
        big: { models: ["chat"], upstreams: ["http://a/v1"], maxModelLen: 32768, fallback: "small" },
        small: { models: ["mini"], upstreams: ["http://b/v1"], maxModelLen: 8192 },
        bare: { models: ["*"], upstreams: ["http://c/v1"] },
      },
    });
    expect(modelWindow(table, "chat")).toBe(8192);
    expect(modelWindow(table, "mini")).toBe(8192);
    expect(modelWindow(table, "anything")).toBeUndefined();
  });
});

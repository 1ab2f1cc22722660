import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "./config";
import { makeKey } from "./test-kit";

describe("loadGatewayConfig", () => {
  let dir: string;
  let jwks: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gateway-config-"));
    jwks = JSON.stringify({ keys: [(await makeKey("k1")).publicJwk] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("never starts without keys", () => {
    expect(() => loadGatewayConfig({})).toThrow(/GATEWAY_JWKS is not set/);
    expect(() => loadGatewayConfig({ GATEWAY_JWKS: "  " })).toThrow(/GATEWAY_JWKS is not set/);
    expect(() => loadGatewayConfig({ GATEWAY_JWKS: '{"keys":[]}' })).toThrow(/no keys/);
  });

  it("has working local defaults, pointing at the development LLM", () => {
    const config = loadGatewayConfig({ GATEWAY_JWKS: jwks });
    expect(config).toMatchObject({
      port: 8788,
      metricsPort: 9464,
      jwksPath: undefined,
      jwksReloadMs: 10_000,
      discoveryMs: 5000,
      defaultMaxTokens: 1024,
      host: "127.0.0.1",
      issuer: "chat-worker",
      redisUrl: "redis://127.0.0.1:6379",
      maxConcurrent: 2,
    });
    expect(config.jwks.keys[0].kid).toBe("k1");
    expect(config.pools.catchAll?.upstreams).toEqual([{ url: "http://127.0.0.1:8790/v1", weight: 1 }]);
  });

  it("reads the JWKS and the pools from files and the rest from the environment", () => {
    writeFileSync(join(dir, "jwks.json"), jwks);
    writeFileSync(join(dir, "pools.json"), JSON.stringify({ pools: { p: { models: ["m"], upstreams: ["http://vllm:8000/v1"] } } }));
    const config = loadGatewayConfig({
      GATEWAY_JWKS: join(dir, "jwks.json"),
      GATEWAY_POOLS: join(dir, "pools.json"),
      GATEWAY_PORT: "9000",
      GATEWAY_METRICS_PORT: "9100",
      GATEWAY_JWKS_RELOAD_MS: "2000",
      GATEWAY_HOST: "0.0.0.0",
      GATEWAY_ISSUER: "worker-prod",
      GATEWAY_MAX_STREAMS: "3",
      GATEWAY_DAILY_TOKENS: "5000",
      REDIS_URL: "rediss://cache:6380",
    });
    expect(config).toMatchObject({
      port: 9000,
      metricsPort: 9100,
      jwksPath: join(dir, "jwks.json"),
      jwksReloadMs: 2000,
      host: "0.0.0.0",
      issuer: "worker-prod",
      maxConcurrent: 3,
      dailyTokens: 5000,
      redisUrl: "rediss://cache:6380",
    });
    expect([...config.pools.byModel.keys()]).toEqual(["m"]);
  });

  it("refuses bad numbers and a missing pools file", () => {
    expect(() => loadGatewayConfig({ GATEWAY_JWKS: jwks, GATEWAY_PORT: "http" })).toThrow(/GATEWAY_PORT/);
    expect(() => loadGatewayConfig({ GATEWAY_JWKS: jwks, GATEWAY_MAX_STREAMS: "0" })).toThrow(/GATEWAY_MAX_STREAMS/);
    expect(() => loadGatewayConfig({ GATEWAY_JWKS: jwks, GATEWAY_POOLS: join(dir, "nope.json") })).toThrow(/cannot read the pools file/);
    expect(() => loadGatewayConfig({ GATEWAY_JWKS: join(dir, "missing-jwks.json") })).toThrow();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisLimits, secondsToUtcMidnight, utcDay } from "./limits";
import { connectRedis, sleep, type TestRedis } from "./test-kit";

describe("createRedisLimits", () => {
  let r: TestRedis;
  beforeAll(() => {
    r = connectRedis();
  });
  afterAll(() => r.cleanup());

  const limits = (over: Partial<Parameters<typeof createRedisLimits>[1]> = {}) =>
    createRedisLimits(r.redis, { maxConcurrent: 2, dailyTokens: 100, leaseMs: 60_000, prefix: r.prefix, ...over });

  it("admits two concurrent replies per user, refuses the third, and frees a slot on release", async () => {
    const l = limits();
    const a = await l.admit("u1");
    const b = await l.admit("u1");
    expect(a.ok && b.ok).toBe(true);
    expect(await l.admit("u1")).toEqual({ ok: false, code: "concurrency_limited", retryAfter: 2 });
    expect((await l.admit("u2")).ok).toBe(true); // other users are not affected
    if (a.ok) {
      await a.lease.release();
      await a.lease.release(); // idempotent
    }
    const c = await l.admit("u1");
    expect(c.ok).toBe(true);
    expect((await l.admit("u1")).ok).toBe(false);
  });

  it("lets a slot lapse when its holder never releases it", async () => {
    const l = limits({ maxConcurrent: 1, leaseMs: 150 });
    expect((await l.admit("u3")).ok).toBe(true);
    expect((await l.admit("u3")).ok).toBe(false);
    await sleep(200);
    expect((await l.admit("u3")).ok).toBe(true);
  });

  it("refuses once the day's tokens are spent, until the next UTC day", async () => {
    const l = limits({ dailyTokens: 10 });
    await l.recordTokens("u4", 6);
    expect((await l.admit("u4")).ok).toBe(true);
    await l.recordTokens("u4", 4.2);
    const refused = await l.admit("u4");
    expect(refused).toMatchObject({ ok: false, code: "daily_tokens_exhausted" });
    if (!refused.ok) expect(refused.retryAfter).toBeLessThanOrEqual(86_400);
    const key = `${r.prefix}{u4}:tokens:${utcDay(Date.now())}`;
    expect(await r.redis.get(key)).toBe("11");
    expect(await r.redis.ttl(key)).toBeGreaterThan(86_400);
  });

  it("answers ping", async () => {
    expect(await limits().ping()).toBe(true);
  });
});

describe("day arithmetic", () => {
  it("counts seconds to the next UTC midnight", () => {
    const t = Date.UTC(2026, 0, 1, 23, 59, 30);
    expect(utcDay(t)).toBe("2026-01-01");
    expect(secondsToUtcMidnight(t)).toBe(30);
    expect(secondsToUtcMidnight(Date.UTC(2026, 0, 2))).toBe(86_400);
  });
});

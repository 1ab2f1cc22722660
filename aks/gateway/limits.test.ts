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
    const a = await l.admit("u1", 1);
    const b = await l.admit("u1", 1);
    expect(a.ok && b.ok).toBe(true);
    expect(await l.admit("u1", 1)).toEqual({ ok: false, code: "concurrency_limited", retryAfter: 2 });
    expect((await l.admit("u2", 1)).ok).toBe(true); // other users are not affected
    if (a.ok) {
      await a.lease.release();
      await a.lease.release(); // idempotent
    }
    const c = await l.admit("u1", 1);
    expect(c.ok).toBe(true);
    expect((await l.admit("u1", 1)).ok).toBe(false);
  });

  it("lets a slot lapse when its holder never releases it", async () => {
    const l = limits({ maxConcurrent: 1, leaseMs: 150 });
    expect((await l.admit("u3", 1)).ok).toBe(true);
    expect((await l.admit("u3", 1)).ok).toBe(false);
    await sleep(200);
    expect((await l.admit("u3", 1)).ok).toBe(true);
  });

  it("reserves a request's tokens up front and refuses one whose reservation would pass the cap", async () => {
    const l = limits({ dailyTokens: 400, maxConcurrent: 5 });
    const key = `${r.prefix}{u4}:tokens:${utcDay(Date.now())}`;
    const first = await l.admit("u4", 250);
    expect(first.ok).toBe(true);
    expect(await r.redis.get(key)).toBe("250");
    // The overshoot: a second 250 would have been admitted while the first was still generating.
    const second = await l.admit("u4", 250);
    expect(second).toMatchObject({ ok: false, code: "daily_tokens_exhausted" });
    if (!second.ok) expect(second.retryAfter).toBeLessThanOrEqual(86_400);
    expect(await r.redis.get(key)).toBe("250"); // a refusal reserves nothing
    expect((await l.admit("u4", 150)).ok).toBe(true); // exactly up to the cap
    expect(await r.redis.get(key)).toBe("400");
    expect(await r.redis.ttl(key)).toBeGreaterThan(86_400);
  });

  it("settles a reservation to what the reply used, and gives all of it back when nothing was used", async () => {
    const l = limits({ dailyTokens: 400, maxConcurrent: 5 });
    const key = `${r.prefix}{u5}:tokens:${utcDay(Date.now())}`;
    const a = await l.admit("u5", 300);
    const b = await l.admit("u5", 100);
    if (!a.ok || !b.ok) throw new Error("not admitted");
    await a.lease.settle(41.2);
    await a.lease.settle(300); // only the first settle counts
    expect(await r.redis.get(key)).toBe("142");
    await b.lease.settle(0); // the upstream failed
    expect(await r.redis.get(key)).toBe("42");
    expect((await l.admit("u5", 358)).ok).toBe(true);
    expect((await l.admit("u5", 1)).ok).toBe(false);
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

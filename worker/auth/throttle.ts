/**
 * Login throttling in Redis: failures are counted per account and per
 * client address over a 15-minute window. Without Redis nothing is counted.
 */
import type Redis from "ioredis";

export const WINDOW_SECONDS = 15 * 60;
export const ACCOUNT_LIMIT = 10;
export const ADDRESS_LIMIT = 50;

const keys = (login: string, address: string) => [`login-fail:acct:${login.toLowerCase()}`, `login-fail:addr:${address}`] as const;

/** Seconds to wait when throttled, else 0. */
export async function throttledFor(redis: Redis | null, login: string, address: string): Promise<number> {
  if (!redis) return 0;
  const [acct, addr] = keys(login, address);
  try {
    const [[, a], [, b], [, ta], [, tb]] = (await redis.multi().get(acct).get(addr).ttl(acct).ttl(addr).exec()) as [
      unknown,
      string | number | null,
    ][];
    if (Number(a ?? 0) >= ACCOUNT_LIMIT) return Math.max(1, Number(ta));
    if (Number(b ?? 0) >= ADDRESS_LIMIT) return Math.max(1, Number(tb));
  } catch {
    return 0;
  }
  return 0;
}

export async function recordFailure(redis: Redis | null, login: string, address: string): Promise<void> {
  if (!redis) return;
  const [acct, addr] = keys(login, address);
  try {
    await redis.multi().incr(acct).expire(acct, WINDOW_SECONDS, "NX").incr(addr).expire(addr, WINDOW_SECONDS, "NX").exec();
  } catch {
    /* throttling is best effort when Redis fails */
  }
}

export async function clearFailures(redis: Redis | null, login: string): Promise<void> {
  if (!redis) return;
  try {
    await redis.del(keys(login, "")[0]);
  } catch {
    /* best effort */
  }
}

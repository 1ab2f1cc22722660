/**
 * Redis for the stateless worker: one connection per request, opened on
 * first use. Redis is optional: without REDIS_URL, or when it does not
 * answer, callers get null and carry on uncached.
 */
import Redis from "ioredis";

export interface RedisHandle {
  get(): Promise<Redis | null>;
  close(): Promise<void>;
}

export function createRedis(url: string | undefined): RedisHandle {
  let client: Redis | null = null;
  let failed = false;
  return {
    async get() {
      if (!url || failed) return null;
      if (client) return client;
      const c = new Redis(url, {
        lazyConnect: true,
        connectTimeout: 1000,
        commandTimeout: 1000,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: true,
        retryStrategy: () => null,
      });
      c.on("error", () => {});
      try {
        await c.connect();
        client = c;
        return c;
      } catch {
        failed = true;
        c.disconnect();
        return null;
      }
    },
    async close() {
      if (client) client.disconnect();
      client = null;
    },
  };
}

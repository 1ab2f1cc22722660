/**
 * The typed Hono context of the worker and the middleware that opens and
 * closes per-request resources (never hung on env: env is shared).
 */
import type { MiddlewareHandler } from "hono";
import { createRedis, type RedisHandle } from "./cache/redis";
import { createDb, type Db } from "./db/client";
import { databaseUrl, type Env } from "./env";
import type { Span } from "./shared/spans";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The database, opened on first use within this request. */
    db: () => Db;
    redis: RedisHandle;
    userId: string;
    /** This request's server span (API routes only): its context goes on to the session object. */
    trace?: Span;
  };
}

export function withResources(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
    const opened: { handle?: ReturnType<typeof createDb> } = {};
    c.set("db", () => (opened.handle ??= createDb(databaseUrl(c.env))).db);
    const redis = createRedis(c.env.REDIS_URL);
    c.set("redis", redis);
    try {
      await next();
    } finally {
      const closing = Promise.all([opened.handle?.close(), redis.close()]).catch(() => {});
      try {
        c.executionCtx.waitUntil(closing);
      } catch {
        await closing;
      }
    }
  };
}

/** Middleware: a valid access token or 401; sets `userId` from its subject. */
import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "../resources";
import { verifyAccessToken } from "./tokens";

export function requireUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const userId = match ? await verifyAccessToken(c.env.AUTH_SECRET, match[1]) : null;
    if (!userId) throw new AppError("unauthorized");
    c.set("userId", userId);
    await next();
  };
}

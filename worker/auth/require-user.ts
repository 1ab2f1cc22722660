/** Middleware: a valid access token or 401; sets `userId` from its subject. */
import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "../resources";
import { verifyAccessToken } from "./tokens";

export function requireUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearer(c.req.header("authorization")) ?? webSocketBearer(c.req.header("sec-websocket-protocol"));
    const userId = token ? await verifyAccessToken(c.env.AUTH_SECRET, token) : null;
    if (!userId) throw new AppError("unauthorized");
    c.set("userId", userId);
    await next();
  };
}

function bearer(header: string | undefined): string | null {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1] ?? null;
}

/** Browsers cannot set headers on a WebSocket: the token travels as a subprotocol, "bearer.<token>". */
function webSocketBearer(header: string | undefined): string | null {
  const offered = (header ?? "").split(",").map((p) => p.trim());
  return offered.find((p) => p.startsWith("bearer."))?.slice("bearer.".length) ?? null;
}

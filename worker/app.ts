/** The worker's Hono app: middleware, sub-apps, and the one error handler. */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseDown } from "./db/client";
import { clientFault } from "./db/pg-errors";
import { AppError, errorBody, errorStatus } from "./errors";
import { drainUnreadBody } from "./http/drain";
import { securityHeaders } from "./http/security-headers";
import { traceRequests } from "./http/trace-requests";
import { errorKind, logEvent } from "./log";
import type { AppEnv } from "./resources";
import { withResources } from "./resources";
import { authRoutes } from "./routes/auth";
import { avatarServeRoutes } from "./routes/avatars";
import { characterRoutes, seedCharacterRoutes } from "./routes/characters";
import { chatRoutes, seedChatRoutes } from "./routes/chats";
import { healthRoutes } from "./routes/health";
import { meRoutes } from "./routes/me";
import { personaRoutes } from "./routes/personas";
import { searchRoutes } from "./routes/search";

export const app = new Hono<AppEnv>()
  .use(drainUnreadBody())
  .use(securityHeaders())
  .use(withResources())
  .use("/api/*", traceRequests())
  .route("/", healthRoutes)
  .route("/api/auth", authRoutes)
  .route("/api/me/personas", personaRoutes)
  .route("/api/me", meRoutes)
  .route("/api/characters", characterRoutes)
  .route("/api/character", seedCharacterRoutes)
  .route("/api/avatars", avatarServeRoutes)
  .route("/api/chats", chatRoutes)
  .route("/api/chat", seedChatRoutes)
  .route("/api/search", searchRoutes);

app.notFound(async (c) => {
  if (!c.req.path.startsWith("/api/") && c.env.ASSETS && (c.req.method === "GET" || c.req.method === "HEAD")) {
    // The single-page app: static files, and index.html for its client-side routes.
    const res = await c.env.ASSETS.fetch(c.req.raw);
    if (res.status !== 404) return res;
    return c.env.ASSETS.fetch(new Request(new URL("/", c.req.url), c.req.raw));
  }
  return c.json(errorBody("not_found", { requestId: c.get("requestId") }), 404);
});

app.onError((err, c) => {
  const requestId = c.get("requestId");
  if (err instanceof AppError) {
    if (err.detail.retryAfter) c.header("Retry-After", String(err.detail.retryAfter));
    return c.json(errorBody(err.code, { ...err.detail, requestId }), errorStatus(err.code));
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? "content_too_large" : status === 401 ? "unauthorized" : status === 404 ? "not_found" : "invalid_input";
    return c.json(errorBody(code, { requestId }), status);
  }
  // Codes and stack frames only: an error's message can carry query parameters (a user's text).
  const fault = clientFault(err);
  if (fault) {
    logEvent("warn", "client_fault", {
      requestId,
      traceId: c.var.trace?.context.traceId,
      path: c.req.routePath,
      error: errorKind(err),
      code: fault,
    });
    return c.json(errorBody(fault, { requestId }), errorStatus(fault));
  }
  if (isDatabaseDown(err)) {
    logEvent("warn", "database_unavailable", {
      requestId,
      traceId: c.var.trace?.context.traceId,
      path: c.req.routePath,
      error: errorKind(err),
    });
    c.header("Retry-After", "2");
    return c.json(errorBody("database_unavailable", { requestId, retryAfter: 2 }), 503);
  }
  logEvent("error", "internal", {
    requestId,
    traceId: c.var.trace?.context.traceId,
    path: c.req.routePath,
    error: errorKind(err),
    stack: stackFrames(err),
  });
  return c.json(errorBody("internal", { requestId }), 500);
});

/** Where an error was thrown, without its message. */
function stackFrames(err: unknown): string | undefined {
  const stack = err instanceof Error ? err.stack : undefined;
  return stack
    ?.split("\n")
    .filter((l) => l.trimStart().startsWith("at "))
    .slice(0, 8)
    .map((l) => l.trim())
    .join(" | ");
}

/** The worker's Hono app: middleware, sub-apps, and the one error handler. */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./context";
import { withResources } from "./context";
import { AppError, errorBody, errorStatus } from "./errors";
import { authRoutes } from "./routes/auth";
import { avatarServeRoutes } from "./routes/avatars";
import { characterRoutes, seedCharacterRoutes } from "./routes/characters";
import { chatRoutes, seedChatRoutes } from "./routes/chats";
import { healthRoutes } from "./routes/health";
import { meRoutes } from "./routes/me";

export const app = new Hono<AppEnv>()
  .use(withResources())
  .route("/", healthRoutes)
  .route("/api/auth", authRoutes)
  .route("/api/me", meRoutes)
  .route("/api/characters", characterRoutes)
  .route("/api/character", seedCharacterRoutes)
  .route("/api/avatars", avatarServeRoutes)
  .route("/api/chats", chatRoutes)
  .route("/api/chat", seedChatRoutes);

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
  if (isDatabaseDown(err)) {
    console.warn(JSON.stringify({ level: "warn", requestId, path: c.req.path, error: String(err) }));
    return c.json(errorBody("database_unavailable", { requestId }), 503);
  }
  console.error(
    JSON.stringify({
      level: "error",
      requestId,
      path: c.req.path,
      error: String(err),
      cause: String((err as { cause?: unknown }).cause),
      stack: err instanceof Error ? err.stack : undefined,
    }),
  );
  return c.json(errorBody("internal", { requestId }), 500);
});

/** PostgreSQL could not be reached (drizzle wraps the driver's error as its cause). */
function isDatabaseDown(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 3;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === "string" && /^(ECONNREFUSED|ECONNRESET|CONNECT_TIMEOUT|CONNECTION_)/.test(e.code)) return true;
    if (typeof e.message === "string" && /Network connection lost|cannot connect|connect(ion)? (refused|timeout)/i.test(e.message))
      return true;
  }
  return false;
}

/**
 * Keep-alive safety for answers given before the request body was read (a
 * 401 from the auth middleware, a 413 on a declared length, a 404): workerd
 * neither drains nor discards an unread request body, so its bytes are left
 * on the connection and the client's next request on it is reset
 * (workerd#1741: cancelling the body stream does not help, only reading it
 * does). After the answer is ready, an unread body is read to its end up to
 * a bound; a body past the bound, or one a reader gave up on, gets
 * `Connection: close`, so the client opens a fresh connection instead of
 * reusing a broken one.
 */
import type { MiddlewareHandler } from "hono";

/** How much of an unread body is read and discarded to keep the connection. */
export const DRAIN_LIMIT = 1024 * 1024;

/** Reads `body` to its end, up to `limit` bytes; true when it ended within the limit. */
export async function drain(body: ReadableStream<Uint8Array>, limit: number): Promise<boolean> {
  const reader = body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return false;
      }
    }
  } catch {
    return false;
  }
}

export function drainUnreadBody(limit = DRAIN_LIMIT): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const req = c.req.raw;
    if (!req.body) return;
    const declared = Number(req.headers.get("content-length") ?? "NaN");
    let kept: boolean;
    // A body that was read was read to its end, unless its reader gave up at the size limit (413).
    if (req.bodyUsed) kept = c.res.status !== 413;
    else if (declared > limit) kept = false;
    else kept = await drain(req.body, limit);
    if (!kept) {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("connection", "close");
    }
  };
}

/**
 * A minimal Chrome DevTools Protocol client over WebSocket (undici's, which
 * miniflare brings), enough to drive the V8 profiler of a workerd isolate.
 */
import { WebSocket } from "undici";

export interface DevTools {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

export async function devtools(url: string): Promise<DevTools> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error(`cannot open ${url}`)));
  });
  let seq = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown };
    if (msg.id === undefined) return;
    waiting.get(msg.id)?.(msg.result);
    waiting.delete(msg.id);
  });
  return {
    call: (method, params = {}) =>
      new Promise<unknown>((resolve) => {
        const id = ++seq;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

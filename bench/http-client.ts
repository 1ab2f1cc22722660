/**
 * The one HTTP client of the benchmark, used for every path so the
 * comparison is fair: node:http over a keep-alive agent (one warm socket
 * per origin), timed with performance.now() from just before the request
 * is issued to the first token (as a probe decides) and to the end of body.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";

/** Watches a response's text as it arrives; true once the first token has been seen. */
export interface Probe {
  push(text: string): boolean;
}

export interface Timed {
  status: number;
  /** Milliseconds to the chunk that completed the first token; null without a probe or a token. */
  firstMs: number | null;
  /** Milliseconds to the end of the body. */
  totalMs: number;
  body: string;
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: string;
  probe?: Probe;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Sends one request and reads the whole answer. Rejects only on network failure. */
export function send(method: string, url: string, opts: SendOptions = {}): Promise<Timed> {
  const u = new URL(url);
  const payload = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers: Record<string, string> = { ...opts.headers };
  if (payload) headers["content-length"] = String(payload.byteLength);
  return new Promise<Timed>((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ agent, host: u.hostname, port: u.port, method, path: u.pathname + u.search, headers }, (res) => {
      res.setEncoding("utf8");
      let body = "";
      let firstMs: number | null = null;
      res.on("data", (chunk: string) => {
        body += chunk;
        if (firstMs === null && opts.probe?.push(chunk)) firstMs = performance.now() - t0;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, firstMs, totalMs: performance.now() - t0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Closes the idle keep-alive sockets so the process can exit. */
export function closeClient(): void {
  agent.destroy();
}

/** Stops what a benchmark started, newest first (a failure is logged, the rest still stop), then closes the client's sockets. */
export async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close().catch((err: unknown) => console.error("cleanup:", err));
  closeClient();
}

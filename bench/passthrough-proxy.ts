/**
 * The floor: a raw Node pass-through proxy that pipes the request and the
 * response to and from the upstream without parsing either. The benchmark
 * runs it in a child process of its own (`fork` this file with the
 * upstream base URL as argument; it answers `{ url }` over IPC), as the
 * service runs in workerd's own process.
 */
import { fork } from "node:child_process";
import { Agent, createServer, request } from "node:http";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface Proxy {
  /** Same shape as the upstream's base URL (path kept), on the proxy's port. */
  url: string;
  /** The child process, when forked. */
  pid?: number;
  close(): Promise<void>;
}

/** Starts a pass-through proxy on 127.0.0.1 in front of `upstreamBase` (e.g. `http://127.0.0.1:4000/v1`). */
export async function startPassthroughProxy(upstreamBase: string): Promise<Proxy> {
  const upstream = new URL(upstreamBase);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const out = request(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, "")}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** Runs the proxy in a child process of its own (through tsx) and resolves once it listens. */
export function forkPassthroughProxy(upstreamBase: string): Promise<Proxy> {
  const child = fork(fileURLToPath(import.meta.url), [upstreamBase], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise<Proxy>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`pass-through proxy exited early (code ${code})`)));
    child.once("message", (msg) => {
      const url = (msg as { url?: unknown }).url;
      if (typeof url !== "string") return reject(new Error("pass-through proxy sent no url"));
      resolve({
        url,
        pid: child.pid,
        close: async () => {
          if (child.exitCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const upstream = process.argv[2];
  if (!upstream) throw new Error("usage: passthrough-proxy.ts <upstream base URL>");
  const proxy = await startPassthroughProxy(upstream);
  process.send?.({ url: proxy.url });
  process.once("SIGTERM", () => void proxy.close().then(() => process.exit(0)));
  process.once("disconnect", () => void proxy.close().then(() => process.exit(0)));
}

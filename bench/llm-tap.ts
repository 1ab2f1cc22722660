/**
 * A timing tap between the service and the development LLM (diagnostics
 * only: it adds a hop, so the benchmark proper never uses it). For each
 * completion request it notes when the request arrived and when the first
 * chunk with content came back from the model, and it counts the TCP
 * connections the service opened (one per request means no reuse).
 */
import { Agent, createServer, request } from "node:http";
import { performance } from "node:perf_hooks";

export interface TapMark {
  /** performance.now() when the request's headers arrived. */
  arrived: number;
  /** When the first response chunk with non-empty `content` passed through; 0 if none. */
  firstContent: number;
  /** Content of the request's last message, once its body has arrived. */
  lastMessage?: string;
}

export interface LlmTap {
  url: string;
  /** Marks of completion requests, in arrival order. */
  marks: TapMark[];
  connections(): number;
  close(): Promise<void>;
}

const CONTENT = /"content":"[^"]/;

export async function startLlmTap(upstreamBase: string): Promise<LlmTap> {
  const upstream = new URL(upstreamBase);
  const agent = new Agent({ keepAlive: true });
  const marks: TapMark[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const mark: TapMark | null = req.url?.endsWith("/chat/completions") ? { arrived: performance.now(), firstContent: 0 } : null;
    if (mark) {
      marks.push(mark);
      const parts: Buffer[] = [];
      req.on("data", (part: Buffer) => parts.push(part));
      req.on("end", () => {
        try {
          const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as { messages?: { content?: string }[] };
          mark.lastMessage = body.messages?.at(-1)?.content;
        } catch {
          // Not JSON: no message to match on.
        }
      });
    }
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
        up.on("data", (chunk: Buffer) => {
          if (mark && !mark.firstContent && CONTENT.test(chunk.toString("utf8"))) mark.firstContent = performance.now();
          res.write(chunk);
        });
        up.on("end", () => res.end());
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, "")}`,
    marks,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

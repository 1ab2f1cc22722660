/**
 * The socket transport: the head parser alone, and the transport itself in
 * real workerd (a Durable Object holding the connections, as a session
 * object does) against a Node HTTP server that closes idle connections
 * quickly, and against a raw one that cuts its answer at awkward places.
 */
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInlineWorker } from "../../test/inline-worker";
import { parseHead } from "./http1";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("parseHead", () => {
  it("waits for the blank line, then gives status, headers and where the body starts", () => {
    expect(parseHead(bytes("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"))).toBeNull();
    const wire = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nX-A: 1\r\nX-A: 2\r\n\r\nbody";
    const head = parseHead(bytes(wire));
    expect(head?.status).toBe(429);
    expect(head?.headers.get("retry-after")).toBe("3");
    expect(head?.headers.get("x-a")).toBe("1, 2");
    expect(wire.slice(head?.bodyAt)).toBe("body");
  });

  it("refuses an answer that is not HTTP/1.x", () => {
    expect(() => parseHead(bytes("SSH-2.0-OpenSSH\r\n\r\n"))).toThrow(/HTTP/);
  });
});

const ENTRY = `
import { connect } from "cloudflare:sockets";
import { DurableObject } from "cloudflare:workers";
import { postOverSocket } from ${JSON.stringify(fileURLToPath(new URL("./http1.ts", import.meta.url)))};
import { createUpstreamSockets } from ${JSON.stringify(fileURLToPath(new URL("./sockets.ts", import.meta.url)))};
export class Caller extends DurableObject {
  sockets = createUpstreamSockets(connect);
  async post(url, body) {
    const res = await postOverSocket(this.sockets, new URL(url), body, { "content-type": "application/json" }, new AbortController().signal);
    return { status: res.status, text: await res.text() };
  }
}
export default {
  async fetch(request, env) {
    const { url, body } = await request.json();
    const stub = env.CALLER.get(env.CALLER.idFromName("one"));
    return Response.json(await stub.post(url, body));
  },
};`;

let server: Server;
let upstream: string;
let workerd: Awaited<ReturnType<typeof startInlineWorker>>;
/** The connection (numbered as the server accepted it) each request came on. */
const connections: number[] = [];
const ids = new WeakMap<object, number>();
/** The connections the server has closed. */
const closed: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    connections.push(ids.get(req.socket) ?? -1);
    const parts: Buffer[] = [];
    req.on("data", (d: Buffer) => parts.push(d));
    req.on("end", () => {
      const body = Buffer.concat(parts);
      // Streamed in pieces: chunked transfer encoding, as an LLM's stream comes.
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(`got ${body.length} bytes;`);
      setTimeout(() => res.end(` ${body.toString().toUpperCase()}`), 20);
    });
  });
  let accepted = 0;
  server.on("connection", (socket) => {
    ids.set(socket, ++accepted);
    socket.on("close", () => closed.push(ids.get(socket) ?? -1));
  });
  server.keepAliveTimeout = 150;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/echo`;
  workerd = await startInlineWorker(ENTRY, { CALLER: "Caller" });
});
afterAll(async () => {
  await workerd?.dispose();
  await new Promise((resolve) => server?.close(resolve));
});

const post = async (body: string) =>
  (await (await fetch(workerd.url, { method: "POST", body: JSON.stringify({ url: upstream, body }) })).json()) as {
    status: number;
    text: string;
  };

describe("postOverSocket in workerd", () => {
  it("reads a chunked answer whole, keeps the connection, and replaces one the server closed while idle", async () => {
    expect(await post("héllo")).toEqual({ status: 200, text: "got 6 bytes; HÉLLO" });
    expect(await post("again")).toEqual({ status: 200, text: "got 5 bytes; AGAIN" });
    expect(connections[1]).toBe(connections[0]);
    // The server drops idle connections after 150 ms: the kept one is dead, and the call still succeeds.
    for (let waited = 0; !closed.includes(connections[0]) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(closed).toContain(connections[0]);
    expect(await post("late")).toEqual({ status: 200, text: "got 4 bytes; LATE" });
    expect(connections).toHaveLength(3);
    expect(connections[2]).not.toBe(connections[0]);
  });
});

describe("postOverSocket reading into one buffer", () => {
  it("keeps every byte when the head and the chunks are cut anywhere across many reads", async () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}-${"é".repeat(i % 7)} `);
    const chunked = words.map((w) => `${Buffer.byteLength(w).toString(16)}\r\n${w}\r\n`).join("") + "0\r\n\r\n";
    const wire = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n${chunked}`);
    // Pieces of 1 to 22 bytes, each written on its own after a pause, so most reads bring one piece.
    const pieces: Buffer[] = [];
    for (let at = 0, n = 1; at < wire.length; at += n, n = (n * 7) % 23 || 1) pieces.push(wire.subarray(at, at + n));
    const raw = createTcpServer((socket) => {
      socket.once("data", async () => {
        for (const piece of pieces) {
          socket.write(piece);
          await new Promise((r) => setTimeout(r, 2));
        }
        socket.end();
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/v1/pieces`;
      const res = (await (await fetch(workerd.url, { method: "POST", body: JSON.stringify({ url, body: "x" }) })).json()) as {
        status: number;
        text: string;
      };
      expect(pieces.length).toBeGreaterThan(50);
      expect(res).toEqual({ status: 200, text: words.join("") });
    } finally {
      raw.close();
    }
  });
});

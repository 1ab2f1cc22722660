/**
 * postJson's choice of transport: the object's sockets, and fetch() when a
 * socket cannot be had (a platform that refuses it), against a real server.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson } from "./post";
import { createUpstreamSockets } from "./sockets";

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'));
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("postJson", () => {
  it("falls back to fetch() when the platform refuses a socket, and does not try that origin again on the next call", async () => {
    const refused: string[] = [];
    const sockets = createUpstreamSockets((address) => {
      refused.push(`${address.hostname}:${address.port}`);
      throw new Error("TCP sockets to this address are not allowed");
    });
    const res = await postJson(url, { stream: false }, {}, new AbortController().signal, sockets);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"ok":true}');
    const again = await postJson(url, { stream: false }, {}, new AbortController().signal, sockets);
    expect(await again.text()).toBe('{"ok":true}');
    expect(refused).toEqual([new URL(url).host]);
  });
});

/**
 * Early answers (401 before the body is read, 413 on a declared length)
 * must not break the keep-alive connection they arrive on: the next request
 * on it has to get its own answer, not ECONNRESET (issue 10 item 16).
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, type Session, startWorker } from "./worker";

let worker: Stack;
let me: Session;

beforeAll(async () => {
  worker = await startWorker();
  me = await client(worker.url).register();
});
afterAll(async () => {
  await worker?.close();
});

/** One request on `agent`; resolves with the status, or the transport error's code. */
function send(agent: http.Agent, method: string, path: string, headers: Record<string, string>, body?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const url = new URL(path, worker.url);
    const req = http.request(url, { method, agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end(body);
  });
}

describe("keep-alive connections after an early answer", () => {
  it("40 requests alternating refused POSTs with bodies and good requests, on one reused connection, all answered", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ name: "x".repeat(20_000), description: "y".repeat(20_000) });
    const json = { "content-type": "application/json" };
    const results: (number | string)[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        results.push(await send(agent, "POST", "/api/characters", { ...json, authorization: "Bearer not-a-token" }, body));
        results.push(await send(agent, "GET", "/api/me", { authorization: `Bearer ${me.token}` }));
      }
    } finally {
      agent.destroy();
    }
    expect(results.filter((r, i) => r !== (i % 2 === 0 ? 401 : 200))).toEqual([]);
  });

  it("a declared oversized body refused with 413 leaves the connection usable too", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const big = "z".repeat(70 * 1024);
    const results: (number | string)[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        results.push(await send(agent, "POST", "/api/auth/login", { "content-type": "application/json" }, big));
        results.push(await send(agent, "GET", "/healthz", {}));
      }
    } finally {
      agent.destroy();
    }
    expect(results.filter((r, i) => r !== (i % 2 === 0 ? 413 : 200))).toEqual([]);
  });
});

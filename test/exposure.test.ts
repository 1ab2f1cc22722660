/**
 * What the service shows of itself: /readyz tells an anonymous caller only
 * whether it is ready, and the dependencies' states (as codes) only to the
 * operator token; the worker's logs carry codes and ids, never what a user
 * wrote, even when a query that carried it fails (issue 10 item 15).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, OPS_TOKEN, startWorker, unique } from "./worker";

let broken: Stack;
let worker: Stack;
const lines: string[] = [];

beforeAll(async () => {
  // A database that is not there: its error text names the query, the host and the port.
  [broken, worker] = await Promise.all([
    startWorker({ databaseUrl: "postgres://postgres@127.0.0.1:9/nowhere" }),
    startWorker({ onLog: (line) => lines.push(line) }),
  ]);
});
afterAll(async () => {
  await Promise.all([broken?.close(), worker?.close()]);
});

describe("/readyz", () => {
  it("answers an anonymous caller with only {ready} and the status", async () => {
    const res = await fetch(`${broken.url}/readyz`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ ready: false });
    expect(text).not.toMatch(/select|127\.0\.0\.1|ECONN|nowhere/i);
  });

  it("shows no details for a wrong or malformed token either", async () => {
    for (const authorization of ["Bearer wrong-token", `Bearer ${OPS_TOKEN}x`, OPS_TOKEN, "Basic b3BzOm9wcw=="]) {
      const res = await fetch(`${broken.url}/readyz`, { headers: { authorization } });
      expect(await res.json(), authorization).toEqual({ ready: false });
    }
  });

  it("shows each dependency to the operator token, as codes without error text", async () => {
    const res = await fetch(`${broken.url}/readyz`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ready: boolean; checks: { postgres: { ok: boolean; error?: string } } };
    expect(body.checks.postgres.ok).toBe(false);
    expect(body.checks.postgres.error).toMatch(/^[A-Za-z0-9_]+$/);
  });
});

describe("logs", () => {
  it("a failing write that carried the user's text logs its code, not the text", async () => {
    const api = client(worker.url);
    const me = await api.register();
    expect((await api.call("/api/me", { method: "DELETE", as: me })).status).toBe(204);
    const canary = unique("secret-words-");
    // The insert carries the name as a query parameter; PostgreSQL refuses it (the creator is gone).
    const res = await api.call("/api/characters", { method: "POST", as: me, json: { name: canary, description: canary } });
    expect(res.status).toBeLessThan(600);
    await new Promise((r) => setTimeout(r, 500)); // workerd's output reaches us asynchronously
    const joined = lines.join("\n");
    expect(joined).not.toContain(canary);
    expect(joined).toContain("23503");
  });
});

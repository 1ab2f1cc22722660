/**
 * The worker's one error handler, through `app.request` with no server:
 * every failure answers the error table's JSON shape with a request id,
 * and nothing internal reaches the client.
 */
import { describe, expect, it } from "vitest";
import { app } from "./app";
import type { Env } from "./env";

const env = (over: Partial<Env> = {}) => ({ AUTH_SECRET: "x".repeat(32), ...over }) as Env;
const login = (body: BodyInit, headers: Record<string, string> = {}) =>
  ({ method: "POST", body, headers: { "content-type": "application/json", ...headers } }) satisfies RequestInit;

async function error(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; requestId?: string; field?: string } };
  return { status: res.status, ...body.error };
}

describe("onError", () => {
  it("answers malformed JSON with 400 invalid_json", async () => {
    const e = await error(await app.request("/api/auth/login", login("{nope"), env()));
    expect(e).toMatchObject({ status: 400, code: "invalid_json", message: "The request body is not valid JSON." });
    expect(e.requestId).toBeTruthy();
  });

  it("answers a schema failure with 400 invalid_input naming the field", async () => {
    const e = await error(await app.request("/api/auth/login", login(JSON.stringify({ login: "a" })), env()));
    expect(e).toMatchObject({ status: 400, code: "invalid_input", field: "password" });
  });

  it("answers an oversized body with 413, whether or not it declares its length", async () => {
    const big = "x".repeat(200_000);
    const declared = await error(await app.request("/api/auth/login", login(JSON.stringify({ login: big, password: "p" })), env()));
    expect(declared).toMatchObject({ status: 413, code: "content_too_large" });
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const init = { ...login(chunked), duplex: "half" } as RequestInit;
    expect(await error(await app.request("/api/auth/login", init, env()))).toMatchObject({ status: 413, code: "content_too_large" });
  });

  it("answers an unreachable database with 503 database_unavailable", async () => {
    const res = await app.request(
      "/api/auth/login",
      login(JSON.stringify({ login: "a", password: "b" })),
      env({ DATABASE_URL: "postgres://postgres@127.0.0.1:9/x" }),
    );
    expect(await error(res)).toMatchObject({ status: 503, code: "database_unavailable" });
  });

  it("answers anything unexpected with 500 internal and the table's message only", async () => {
    const res = await app.request("/api/auth/login", login(JSON.stringify({ login: "a", password: "b" })), env());
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ error: { code: "internal", message: "Something went wrong on our side." } });
    expect(text).not.toMatch(/DATABASE_URL|at .*\.ts|Error:/);
  });

  it("answers unknown API routes with a JSON 404", async () => {
    expect(await error(await app.request("/api/nothing-here", {}, env()))).toMatchObject({ status: 404, code: "not_found" });
  });

  it("answers a missing token with 401 unauthorized", async () => {
    expect(await error(await app.request("/api/me", {}, env()))).toMatchObject({ status: 401, code: "unauthorized" });
  });
});

/**
 * Accounts under attack, in workerd against real PostgreSQL and Redis:
 * spoofed client addresses, registration that
 * must not tell whether an email is in use, a password change that ends
 * every other session, and a deleted account's still-valid access token.
 * Parallel guessing is in login-races.test.ts (run alone: it opens many
 * connections at once).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, loginAt, PASSWORD, type Session, startWorker, unique } from "./worker";

// Each stack has its own AUTH_SECRET, so its throttle counts are its own even in the Redis every run shares.
const secret = () => randomBytes(32).toString("base64url");
let main: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  main = await startWorker({ env: { AUTH_SECRET: secret() } });
  api = client(main.url);
});
afterAll(async () => {
  await main?.close();
});

interface ErrorJson {
  error: { code: string; message: string; field?: string; retryAfter?: number; requestId?: string };
}
const code = async (res: Response) => ((await res.json()) as ErrorJson).error.code;

const statuses = (responses: Response[]) => responses.map((r) => r.status);
const count = (list: number[], status: number) => list.filter((s) => s === status).length;

describe("client-sent CF-Connecting-IP (issue 10 item 17)", () => {
  it("does not give a local client a fresh address bucket per request", async () => {
    const stack = await startWorker({ env: { AUTH_SECRET: secret() } });
    try {
      const own = client(stack.url);
      const s: number[] = [];
      for (let i = 0; i < 55; i++) s.push((await loginAt(own, unique("spoof"), "wrong password", `203.0.113.${i}`)).status);
      expect(count(s, 401), s.join(",")).toBe(50);
      expect(s.slice(50)).toEqual([429, 429, 429, 429, 429]);
    } finally {
      await stack.close();
    }
  });

  it("is trusted in production, where Cloudflare's edge sets it", async () => {
    const stack = await startWorker({ env: { AUTH_SECRET: secret(), ENVIRONMENT: "production" } });
    try {
      const own = client(stack.url);
      const s: number[] = [];
      for (let i = 0; i < 55; i++) s.push((await loginAt(own, unique("edge"), "wrong password", `198.51.100.${i}`)).status);
      expect(count(s, 401), s.join(",")).toBe(55);
    } finally {
      await stack.close();
    }
  });
});

describe("password change (issue 10 item 9)", () => {
  async function signIn(): Promise<{ token: string; cookie: string }> {
    const res = await loginAt(api, who.username, PASSWORD);
    expect(res.status).toBe(200);
    const cookie = (res.headers.getSetCookie().find((c) => c.startsWith("refresh_token=")) ?? "").split(";")[0];
    return { token: ((await res.json()) as { accessToken: string }).accessToken, cookie };
  }
  const refresh = (cookie: string) => api.call("/api/auth/refresh", { method: "POST", headers: { cookie } });
  const change = (token: string, currentPassword: string, newPassword: string) =>
    api.call("/api/me/password", { method: "POST", headers: { authorization: `Bearer ${token}` }, json: { currentPassword, newPassword } });
  let who: Session;

  it("ends every other session's refresh, and rotates the caller's own cookie", async () => {
    who = await api.register(unique("pw"));
    const laptop = await signIn();
    const phone = await signIn();
    const res = await change(laptop.token, PASSWORD, "a brand new passphrase");
    expect(res.status).toBe(204);
    expect((await refresh(phone.cookie)).status).toBe(401);
    expect((await refresh(who.cookie)).status).toBe(401);
    const fresh = (res.headers.getSetCookie().find((c) => c.startsWith("refresh_token=")) ?? "").split(";")[0];
    expect(fresh).toMatch(/^refresh_token=.+/);
    expect((await refresh(fresh)).status).toBe(200);
  });
});

describe("registration (issue 10 item 10)", () => {
  it("does not tell whether an email is in use: a second account with it is created like any other", async () => {
    const first = unique("mail");
    const email = `${first}@example.test`;
    await api.register(first);
    const second = unique("mail");
    const res = await api.call("/api/auth/register", {
      method: "POST",
      json: { username: second, email: email.toUpperCase(), password: "second person's pass" },
    });
    expect(res.status).toBe(201);
    const fresh = unique("mail");
    const control = await api.call("/api/auth/register", {
      method: "POST",
      json: { username: fresh, email: `${fresh}@example.test`, password: "second person's pass" },
    });
    expect(control.status).toBe(201);
    expect(Object.keys((await res.json()) as object).sort()).toEqual(Object.keys((await control.json()) as object).sort());
    // Sign-in by email opens the account whose password it is, oldest first.
    const asFirst = (await (await loginAt(api, email, PASSWORD)).json()) as { user: { username: string } };
    expect(asFirst.user.username).toBe(first);
    const asSecond = (await (await loginAt(api, email, "second person's pass")).json()) as { user: { username: string } };
    expect(asSecond.user.username).toBe(second);
    expect((await loginAt(api, email, "nobody's password")).status).toBe(401);
  });

  it("still refuses a taken username (usernames are public)", async () => {
    const name = unique("dup");
    await api.register(name);
    const res = await api.call("/api/auth/register", {
      method: "POST",
      json: { username: name.toUpperCase(), email: `${unique()}@example.test`, password: PASSWORD },
    });
    expect(res.status).toBe(409);
    expect(await code(res)).toBe("username_taken");
  });

  it("is throttled per address, whatever CF-Connecting-IP a local client sends", async () => {
    const stack = await startWorker({ env: { AUTH_SECRET: secret(), REGISTER_LIMIT: "5" } });
    try {
      const own = client(stack.url);
      const res: Response[] = [];
      for (let i = 0; i < 7; i++) {
        const name = unique("reg");
        res.push(
          await own.call("/api/auth/register", {
            method: "POST",
            headers: { "cf-connecting-ip": `192.0.2.${i}` },
            json: { username: name, email: `${name}@example.test`, password: PASSWORD },
          }),
        );
      }
      expect(statuses(res)).toEqual([201, 201, 201, 201, 201, 429, 429]);
      expect(await code(res[5])).toBe("rate_limited");
      expect(Number(res[5].headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await stack.close();
    }
  });
});

describe("a deleted account's live access token (issue 10 item 8)", () => {
  it("gets 401 on every route that would write for it, not a foreign-key 500", async () => {
    const s = await api.register();
    const ch = await api.character(s);
    expect((await api.call("/api/me", { method: "DELETE", as: s })).status).toBe(204);
    const card = { spec: "chara_card_v2", spec_version: "2.0", data: { name: "Ghost", description: "d", first_mes: "hi" } };
    const writes: [string, string, unknown][] = [
      ["POST", "/api/characters", { name: "After deletion", description: "x", greeting: "hi" }],
      ["POST", "/api/characters/import", card],
      ["PATCH", "/api/me", { displayName: "ghost" }],
      ["POST", "/api/me/password", { currentPassword: PASSWORD, newPassword: "another passphrase" }],
      ["POST", `/api/chats/${ch.id}/messages`, { content: "still here?" }],
      ["POST", `/api/chats/${ch.id}/memories`, { content: "remember me" }],
      ["POST", "/api/chat", { characterId: ch.id, message: "hello?" }],
    ];
    for (const [method, path, json] of writes) {
      const res = await api.call(path, { method, as: s, json, headers: { accept: "application/json" } });
      expect([401, 404], `${method} ${path} → ${res.status}`).toContain(res.status);
    }
    const create = await api.call("/api/characters", { method: "POST", as: s, json: writes[0][2] });
    expect(create.status).toBe(401);
    expect(await code(create)).toBe("unauthorized");
    const imported = await api.call("/api/characters/import", { method: "POST", as: s, json: card });
    expect(imported.status).toBe(401);
  });
});

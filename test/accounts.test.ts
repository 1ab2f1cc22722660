/**
 * Accounts end to end in workerd: register, login and its throttling, access
 * tokens under attack, refresh rotation, the profile, export and deletion.
 */
import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Stack } from "../dev/stack";
import { AUTH_SECRET, client, PASSWORD, type Session, startWorker, unique } from "./worker";

const BODY_LIMIT = 64 * 1024;

let worker: Stack;
let api: ReturnType<typeof client>;
let sql: postgres.Sql;

// Failed logins are also counted per client address, in the Redis every run
// shares; one address per run keeps earlier runs from throttling this one.
const ADDRESS = `10.${randomBytes(3).join(".")}`;

interface ErrorJson {
  error: { code: string; message: string; field?: string; retryAfter?: number; requestId?: string };
}

async function errorOf(res: Response): Promise<ErrorJson["error"]> {
  const body = (await res.json()) as ErrorJson;
  return body.error;
}

/** An error body with its per-request id removed, to compare two answers. */
async function publicError(res: Response): Promise<unknown> {
  const { requestId: _id, ...rest } = await errorOf(res);
  return rest;
}

/** The `name=value` of the refresh cookie a response sets, and its attributes. */
function refreshCookie(res: Response): { pair: string; attributes: string } {
  const header = res.headers.getSetCookie().find((c) => c.startsWith("refresh_token="));
  if (!header) throw new Error(`no refresh cookie in ${res.status}`);
  const [pair, ...attributes] = header.split(";");
  return { pair: pair.trim(), attributes: attributes.join(";") };
}

const login = (loginName: string, password: string) =>
  api.call("/api/auth/login", { method: "POST", json: { login: loginName, password }, headers: { "cf-connecting-ip": ADDRESS } });

const authCall = (path: string, cookie: string) => api.call(path, { method: "POST", headers: { cookie } });

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An HS256 access token with the worker's claims, overridable for the attacks. */
function accessToken(sub: string, over: { secret?: string; audience?: string; issuedAt?: number; expiresAt?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .setSubject(sub)
    .setIssuer("chat-worker")
    .setAudience(over.audience ?? "chat-api")
    .setIssuedAt(over.issuedAt ?? now)
    .setExpirationTime(over.expiresAt ?? now + 600)
    .sign(new TextEncoder().encode(over.secret ?? AUTH_SECRET));
}

const getMe = (token?: string) => api.call("/api/me", token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

/** Valid JSON that would otherwise be a 400 (password too long), so only the body limit can answer 413. */
function oversizedJson(): string {
  const name = unique();
  return JSON.stringify({ username: name, email: `${name}@example.test`, password: "p".repeat(BODY_LIMIT + 1024) });
}

/** A stream of `bytes` in 4 KiB pieces: fetch sends it chunked, with no Content-Length. */
function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + 4096));
      at += 4096;
    },
  });
}

/**
 * POSTs an oversized body to /api/auth/register. The worker answers without
 * reading the rest, and on loopback the reset of that unread rest sometimes
 * beats its answer to the client: a transport failure is retried, an answer
 * never is. `Connection: close` keeps the reset socket out of the pool.
 */
async function postOversized(body: () => BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const init: RequestInit & { duplex: "half" } = {
      method: "POST",
      headers: { "content-type": "application/json", connection: "close", ...headers },
      body: body(),
      duplex: "half",
    };
    try {
      return await fetch(`${worker.url}/api/auth/register`, init);
    } catch (err) {
      // Under a loaded suite the reset won three times in a row (seen once): a few more tries, an answer still never retried.
      if (attempt >= 8) throw err;
    }
  }
}

beforeAll(async () => {
  worker = await startWorker();
  api = client(worker.url);
  sql = postgres(inject("databaseUrl"), { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await worker?.close();
});

describe("register", () => {
  it("answers 201 with the user, an access token and an HttpOnly refresh cookie", async () => {
    const name = unique("Reg");
    const res = await api.call("/api/auth/register", {
      method: "POST",
      json: { username: name, email: `${name}@example.test`, password: PASSWORD },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: Record<string, unknown>; accessToken: string; expiresIn: number };
    expect(Object.keys(body.user).sort()).toEqual(["createdAt", "displayName", "email", "id", "persona", "username"]);
    expect(body.user).toMatchObject({ username: name, email: `${name}@example.test`, persona: "" });
    expect(JSON.stringify(body)).not.toMatch(/pbkdf2|password|hash/i);
    expect(body.accessToken.split(".")).toHaveLength(3);
    expect(body.expiresIn).toBeGreaterThan(0);
    const cookie = refreshCookie(res);
    expect(cookie.pair).toMatch(/^refresh_token=[\w-]{20,}$/);
    expect(cookie.attributes).toMatch(/HttpOnly/i);
    expect(cookie.attributes).toMatch(/Path=\/api\/auth(;|$)/);
    expect(cookie.attributes).toMatch(/SameSite=Strict/i);
  });

  it("refuses a taken username, whatever its case, with 409 username_taken", async () => {
    const name = unique("dup");
    await api.register(name);
    const res = await api.call("/api/auth/register", {
      method: "POST",
      json: { username: name.toUpperCase(), email: `${unique()}@example.test`, password: PASSWORD },
    });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe("username_taken");
  });

  it.each([
    ["a short password", { password: "short" }, "password"],
    ["a bad email", { email: "not-an-email" }, "email"],
    ["a bad username", { username: "no spaces allowed" }, "username"],
    ["a missing password", { password: undefined }, "password"],
    ["a missing username", { username: undefined }, "username"],
  ])("refuses %s with 400 invalid_input naming the field", async (_label, over, field) => {
    const name = unique();
    const res = await api.call("/api/auth/register", {
      method: "POST",
      json: { username: name, email: `${name}@example.test`, password: PASSWORD, ...over },
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "invalid_input", field });
  });
});

describe("request bodies and routing", () => {
  it("answers malformed JSON with 400 invalid_json", async () => {
    const res = await api.call("/api/auth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"username": "x",',
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_json");
  });

  it("refuses a body over the limit with 413 when Content-Length says so", async () => {
    const body = oversizedJson();
    const res = await postOversized(() => body, { "content-length": String(body.length) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("content_too_large");
  });

  it("refuses a chunked body over the limit with 413 though no Content-Length is sent", async () => {
    const bytes = new TextEncoder().encode(oversizedJson());
    const res = await postOversized(() => chunked(bytes));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("content_too_large");
  });

  it("answers an unknown API route with a JSON 404 not_found", async () => {
    const res = await api.call("/api/no-such-route");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("login", () => {
  it("signs in by username and by email, in any case, with the register shape", async () => {
    const s = await api.register(unique("Log"));
    for (const name of [s.username, s.username.toUpperCase(), `${s.username}@example.test`, `${s.username.toUpperCase()}@EXAMPLE.TEST`]) {
      const res = await login(name, PASSWORD);
      expect(res.status, name).toBe(200);
      const body = (await res.json()) as { user: { id: string }; accessToken: string };
      expect(body.user.id).toBe(s.userId);
      expect(refreshCookie(res).pair).toMatch(/^refresh_token=/);
      expect((await getMe(body.accessToken)).status).toBe(200);
    }
  });

  it("answers a wrong password and an unknown user with the same 401 invalid_credentials", async () => {
    const s = await api.register();
    const wrong = await login(s.username, "not the password");
    const unknown = await login(unique("ghost"), PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const wrongBody = await publicError(wrong);
    expect(wrongBody).toMatchObject({ code: "invalid_credentials" });
    expect(await publicError(unknown)).toEqual(wrongBody);
  });

  it("refuses a login without a password with 400 invalid_input", async () => {
    const res = await api.call("/api/auth/login", { method: "POST", json: { login: "someone" }, headers: { "cf-connecting-ip": ADDRESS } });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "invalid_input", field: "password" });
  });

  it("throttles an account after 10 failed attempts, even for the right password", async () => {
    const s = await api.register(unique("thr"));
    for (let i = 0; i < 10; i++) {
      const res = await login(s.username, `wrong password ${i}`);
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const res = await login(s.username, PASSWORD);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    const error = await errorOf(res);
    expect(error.code).toBe("too_many_attempts");
    expect(error.retryAfter).toBe(retryAfter);
    // Another account from the same address is not locked out by this one.
    const other = await api.register();
    expect((await login(other.username, PASSWORD)).status).toBe(200);
  });
});

describe("access tokens on GET /api/me", () => {
  let victim: Session;
  let other: Session;
  beforeAll(async () => {
    [victim, other] = await Promise.all([api.register(), api.register()]);
  });

  it("accepts a token with the worker's claims and secret (so the refusals below are about the attack)", async () => {
    const res = await getMe(await accessToken(victim.userId));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { id: string } }).user.id).toBe(victim.userId);
  });

  it("refuses every forged, altered or stale token with one identical 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const [, payload, signature] = victim.token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const attacks: Record<string, string | undefined> = {
      "no token": undefined,
      "empty bearer": "",
      "alg none": `${b64url({ alg: "none", typ: "at+jwt" })}.${b64url({ ...claims, sub: other.userId })}.`,
      "tampered subject": `${b64url({ alg: "HS256", typ: "at+jwt" })}.${b64url({ ...claims, sub: other.userId })}.${signature}`,
      expired: await accessToken(victim.userId, { issuedAt: now - 3600, expiresAt: now - 600 }),
      "wrong audience": await accessToken(victim.userId, { audience: "llm-gateway" }),
      "another secret": await accessToken(victim.userId, { secret: randomBytes(32).toString("base64url") }),
      garbage: "not.a.jwt",
    };
    const bodies = new Map<string, unknown>();
    for (const [label, token] of Object.entries(attacks)) {
      const res = await getMe(token);
      expect(res.status, label).toBe(401);
      bodies.set(label, await publicError(res));
    }
    const reference = bodies.get("no token");
    expect(reference).toMatchObject({ code: "unauthorized" });
    for (const [label, body] of bodies) expect(body, label).toEqual(reference);
  });
});

describe("refresh and logout", () => {
  it("rotates the refresh cookie, and reuse of an old one revokes the whole family", async () => {
    const s = await api.register();
    const first = await authCall("/api/auth/refresh", s.cookie);
    expect(first.status).toBe(200);
    const body = (await first.json()) as { user: { id: string }; accessToken: string };
    expect(body.user.id).toBe(s.userId);
    expect((await getMe(body.accessToken)).status).toBe(200);
    const rotated = refreshCookie(first).pair;
    expect(rotated).not.toBe(s.cookie);

    const reuse = await authCall("/api/auth/refresh", s.cookie);
    expect(reuse.status).toBe(401);
    expect((await errorOf(reuse)).code).toBe("invalid_refresh_token");
    // The thief's reuse ends the family: the newest cookie no longer works either.
    const after = await authCall("/api/auth/refresh", rotated);
    expect(after.status).toBe(401);
  });

  it("refuses a refresh without a cookie or with an unknown one", async () => {
    expect((await api.call("/api/auth/refresh", { method: "POST" })).status).toBe(401);
    const res = await authCall("/api/auth/refresh", "refresh_token=made-up-token-value");
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("invalid_refresh_token");
  });

  it("logout revokes the refresh cookie and clears it", async () => {
    const s = await api.register();
    const res = await authCall("/api/auth/logout", s.cookie);
    expect(res.status).toBe(204);
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith("refresh_token="));
    expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expect((await authCall("/api/auth/refresh", s.cookie)).status).toBe(401);
  });
});

describe("profile", () => {
  it("GET /api/me returns the caller, and 401 without a token", async () => {
    const s = await api.register();
    const res = await api.call("/api/me", { as: s });
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: Record<string, unknown> };
    expect(user).toMatchObject({ id: s.userId, username: s.username, displayName: s.username });
    expect(Object.keys(user)).not.toContain("passwordHash");
    expect((await api.call("/api/me")).status).toBe(401);
  });

  it("PATCH /api/me changes displayName and persona, and keeps them", async () => {
    const s = await api.register();
    const res = await api.call("/api/me", { method: "PATCH", as: s, json: { displayName: "  Ada  ", persona: "A curious engineer." } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: unknown }).user).toMatchObject({ displayName: "Ada", persona: "A curious engineer." });
    const again = (await (await api.call("/api/me", { as: s })).json()) as { user: unknown };
    expect(again.user).toMatchObject({ displayName: "Ada", persona: "A curious engineer." });
  });

  it("PATCH /api/me refuses an empty displayName (400) and a missing token (401)", async () => {
    const s = await api.register();
    const bad = await api.call("/api/me", { method: "PATCH", as: s, json: { displayName: "   " } });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ code: "invalid_input", field: "displayName" });
    const tooLong = await api.call("/api/me", { method: "PATCH", as: s, json: { persona: "x".repeat(4001) } });
    expect(tooLong.status).toBe(400);
    expect(await errorOf(tooLong)).toMatchObject({ code: "invalid_input", field: "persona" });
    expect((await api.call("/api/me", { method: "PATCH", json: { displayName: "Eve" } })).status).toBe(401);
    const unchanged = (await (await api.call("/api/me", { as: s })).json()) as { user: unknown };
    expect(unchanged.user).toMatchObject({ displayName: s.username });
  });

  it("POST /api/me/password needs the current password, then only the new one signs in", async () => {
    const s = await api.register();
    const newPassword = "a much better passphrase";
    const wrong = await api.call("/api/me/password", { method: "POST", as: s, json: { currentPassword: "not it at all", newPassword } });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).code).toBe("invalid_credentials");
    const weak = await api.call("/api/me/password", { method: "POST", as: s, json: { currentPassword: PASSWORD, newPassword: "short" } });
    expect(weak.status).toBe(400);
    expect(await errorOf(weak)).toMatchObject({ code: "invalid_input", field: "newPassword" });
    expect((await api.call("/api/me/password", { method: "POST", json: { currentPassword: PASSWORD, newPassword } })).status).toBe(401);

    const ok = await api.call("/api/me/password", { method: "POST", as: s, json: { currentPassword: PASSWORD, newPassword } });
    expect(ok.status).toBe(204);
    expect((await login(s.username, newPassword)).status).toBe(200);
    expect((await login(s.username, PASSWORD)).status).toBe(401);
  });
});

describe("export and account deletion", () => {
  interface Export {
    user: { id: string };
    characters: { id: string; name: string }[];
    messages: { id: string; content: string; role: string }[];
  }

  async function exportOf(s: Session): Promise<Export> {
    const res = await api.call("/api/me/export", { as: s });
    expect(res.status).toBe(200);
    return (await res.json()) as Export;
  }

  /** The export once it holds all of `messageIds` (they reach PostgreSQL through the session's outbox). */
  async function exportWith(s: Session, messageIds: string[], timeoutMs = 8000): Promise<Export> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const data = await exportOf(s);
      const ids = new Set(data.messages.map((m) => m.id));
      if (messageIds.every((id) => ids.has(id)) || Date.now() > deadline) return data;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("export and delete refuse a missing token", async () => {
    expect((await api.call("/api/me/export")).status).toBe(401);
    expect((await api.call("/api/me", { method: "DELETE" })).status).toBe(401);
  });

  it("exports the user's characters and messages; deleting the account removes them everywhere", async () => {
    const s = await api.register();
    const ch = await api.character(s, { name: unique("Exported ") });
    const turn = await api.say(s, ch.id, "Hello from the export test");
    expect(turn.status).toBe(200);
    const userMessageId = turn.body.userMessage.id as string;
    const replyId = turn.body.reply.id as string;

    const data = await exportWith(s, [userMessageId, replyId]);
    expect(data.user.id).toBe(s.userId);
    expect(data.characters.map((c) => c.id)).toEqual([ch.id]);
    expect(data.messages.map((m) => m.id)).toEqual(expect.arrayContaining([userMessageId, replyId]));
    expect(data.messages.find((m) => m.id === userMessageId)).toMatchObject({ role: "user", content: "Hello from the export test" });
    expect(JSON.stringify(data)).not.toMatch(/pbkdf2/);

    const del = await api.call("/api/me", { method: "DELETE", as: s });
    expect(del.status).toBe(204);
    expect((await login(s.username, PASSWORD)).status).toBe(401);
    expect((await api.call("/api/me", { as: s })).status).toBe(401);

    const counts = await sql`
      select
        (select count(*) from users where id = ${s.userId})::int as users,
        (select count(*) from characters where creator_id = ${s.userId})::int as characters,
        (select count(*) from chat_sessions where user_id = ${s.userId})::int as sessions,
        (select count(*) from chat_messages where user_id = ${s.userId})::int as messages,
        (select count(*) from refresh_tokens where user_id = ${s.userId})::int as refresh_tokens`;
    expect(counts[0]).toEqual({ users: 0, characters: 0, sessions: 0, messages: 0, refresh_tokens: 0 });
  });

  it("leaves nothing an access token issued before the deletion can reach", async () => {
    const s = await api.register();
    const ch = await api.character(s);
    expect((await api.say(s, ch.id, "One message before leaving")).status).toBe(200);
    expect((await api.call("/api/me", { method: "DELETE", as: s })).status).toBe(204);
    // The token is still unexpired; what it reaches must be gone, not broken.
    for (const path of ["/api/me", "/api/me/export", `/api/characters/${ch.id}`, `/api/chats/${ch.id}/messages`]) {
      const res = await api.call(path, { as: s });
      expect([401, 404], path).toContain(res.status);
    }
  });
});

/** Accounts: register, login, refresh (rotating), logout. */
import { type Context, Hono } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import { throttleScope } from "../auth/client-address";
import { DUMMY_HASH, hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from "../auth/password";
import { clearSession, issueSession, REFRESH_COOKIE } from "../auth/session-cookie";
import { attemptSucceeded, REGISTER_LIMIT, takeAttempt, takeRegistration } from "../auth/throttle";
import { sha256Hex } from "../auth/tokens";
import {
  consumeRefreshToken,
  findRefreshToken,
  findUserById,
  findUserByUsername,
  findUsersByEmail,
  insertUser,
  revokeFamily,
  toUser,
  type UserRow,
} from "../db/users";
import { intVar } from "../env";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import { text } from "../http/text";
import { newId } from "../ids";
import type { AppEnv } from "../resources";

export const passwordSchema = text().min(PASSWORD_MIN).max(PASSWORD_MAX);

const registerSchema = z.object({
  username: text()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{3,32}$/, "3–32 letters, digits, _ . -"),
  email: text().pipe(z.email().max(254)),
  password: passwordSchema,
});
const loginSchema = z.object({ login: text().trim().min(1).max(254), password: text().min(1).max(PASSWORD_MAX) });

/** How many of an email's accounts a sign-in by email tries; each costs one hash, always all of them. */
export const EMAIL_LOGIN_ACCOUNTS = 3;

/** The accounts a login may name: one by username, or an email's oldest accounts (emails are not unique). */
async function loginCandidates(c: Context<AppEnv>, login: string): Promise<{ rows: UserRow[]; hashes: number }> {
  if (!login.includes("@")) {
    const row = await findUserByUsername(c.var.db(), login);
    return { rows: row ? [row] : [], hashes: 1 };
  }
  return { rows: await findUsersByEmail(c.var.db(), login, EMAIL_LOGIN_ACCOUNTS), hashes: EMAIL_LOGIN_ACCOUNTS };
}

/**
 * The first account the password opens. Always `hashes` full hashes, with or
 * without accounts behind the login and wherever the match is: an unknown
 * user costs what a known one does, and stopping early would tell someone who
 * registered with a victim's email whether an older account has it.
 */
async function firstMatch(rows: UserRow[], hashes: number, password: string): Promise<UserRow | undefined> {
  let match: UserRow | undefined;
  for (let i = 0; i < hashes; i++) {
    const ok = await verifyPassword(password, rows[i]?.passwordHash ?? DUMMY_HASH);
    if (ok && rows[i] && !match) match = rows[i];
  }
  return match;
}

function tooMany(wait: number): AppError {
  return new AppError("too_many_attempts", {
    retryAfter: wait,
    message: `Too many failed sign-in attempts; try again in ${Math.ceil(wait / 60)} min.`,
  });
}

export const authRoutes = new Hono<AppEnv>()
  .post("/register", async (c) => {
    const body = await readJson(c, registerSchema);
    const throttle = await throttleScope(c, await c.var.redis.get());
    const wait = await takeRegistration(throttle, intVar(c.env.REGISTER_LIMIT, REGISTER_LIMIT));
    if (wait > 0)
      throw new AppError("rate_limited", {
        retryAfter: wait,
        message: `Too many new accounts from here; try again in ${Math.ceil(wait / 60)} min.`,
      });
    const result = await insertUser(c.var.db(), {
      id: newId(),
      username: body.username,
      email: body.email,
      passwordHash: await hashPassword(body.password),
      displayName: body.username,
    });
    if (!result.ok) throw new AppError(result.code);
    return c.json(await issueSession(c, toUser(result.user)), 201);
  })
  .post("/login", async (c) => {
    const body = await readJson(c, loginSchema);
    const throttle = await throttleScope(c, await c.var.redis.get());
    const { rows, hashes } = await loginCandidates(c, body.login);
    // Counted per account (by id, so username and email share one count) and per address, before any password is checked.
    const account = rows[0]?.id ?? body.login;
    const wait = await takeAttempt(throttle, account);
    if (wait > 0) throw tooMany(wait);
    const row = await firstMatch(rows, hashes, body.password);
    if (!row) throw new AppError("invalid_credentials");
    await attemptSucceeded(throttle, account);
    return c.json(await issueSession(c, toUser(row)));
  })
  .post("/refresh", async (c) => {
    const token = getCookie(c, REFRESH_COOKIE);
    if (!token) throw new AppError("invalid_refresh_token");
    const db = c.var.db();
    const row = await findRefreshToken(db, await sha256Hex(token));
    if (!row || row.expiresAt.getTime() < Date.now()) {
      clearSession(c);
      throw new AppError("invalid_refresh_token");
    }
    if (row.revokedAt || !(await consumeRefreshToken(db, row.id))) {
      // Reuse of a rotated token: someone else holds the family; end it.
      await revokeFamily(db, row.family);
      clearSession(c);
      throw new AppError("invalid_refresh_token");
    }
    const user = await findUserById(db, row.userId);
    if (!user) throw new AppError("invalid_refresh_token");
    return c.json(await issueSession(c, toUser(user), row.family));
  })
  .post("/logout", async (c) => {
    const token = getCookie(c, REFRESH_COOKIE);
    if (token) {
      const db = c.var.db();
      const row = await findRefreshToken(db, await sha256Hex(token));
      if (row) await revokeFamily(db, row.family);
    }
    clearSession(c);
    return c.body(null, 204);
  });

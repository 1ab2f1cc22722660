/** Accounts: register, login, refresh (rotating), logout. */
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import { DUMMY_HASH, hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from "../auth/password";
import { clearSession, issueSession, REFRESH_COOKIE } from "../auth/session-cookie";
import { clearFailures, recordFailure, throttledFor } from "../auth/throttle";
import { sha256Hex } from "../auth/tokens";
import { consumeRefreshToken, findRefreshToken, findUserById, findUserByLogin, insertUser, revokeFamily, toUser } from "../db/users";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import { newId } from "../ids";
import type { AppEnv } from "../resources";

export const passwordSchema = z.string().min(PASSWORD_MIN).max(PASSWORD_MAX);

const registerSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{3,32}$/, "3–32 letters, digits, _ . -"),
  email: z.email().max(254),
  password: passwordSchema,
});
const loginSchema = z.object({ login: z.string().trim().min(1).max(254), password: z.string().min(1).max(PASSWORD_MAX) });

export const authRoutes = new Hono<AppEnv>()
  .post("/register", async (c) => {
    const body = await readJson(c, registerSchema);
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
    const address = c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "unknown";
    const redis = await c.var.redis.get();
    const row = await findUserByLogin(c.var.db(), body.login);
    // Counted per account (by id, so username and email share one count) and per address.
    const account = row?.id ?? body.login.toLowerCase();
    const wait = await throttledFor(redis, account, address);
    if (wait > 0) {
      throw new AppError("too_many_attempts", {
        retryAfter: wait,
        message: `Too many failed sign-in attempts; try again in ${Math.ceil(wait / 60)} min.`,
      });
    }
    // An unknown user costs one full hash too, so timing does not reveal who exists.
    const ok = await verifyPassword(body.password, row?.passwordHash ?? DUMMY_HASH);
    if (!row || !ok) {
      await recordFailure(redis, account, address);
      throw new AppError("invalid_credentials");
    }
    await clearFailures(redis, account);
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

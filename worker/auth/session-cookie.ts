/** Issuing an access token plus a rotating refresh cookie. */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { insertRefreshToken } from "../db/users";
import { newId } from "../ids";
import type { AppEnv } from "../resources";
import type { AuthResponse, User } from "../shared/wire";
import { ACCESS_TTL_SECONDS, newRefreshToken, REFRESH_TTL_SECONDS, sha256Hex, signAccessToken } from "./tokens";

export const REFRESH_COOKIE = "refresh_token";
const COOKIE_PATH = "/api/auth";

/** Signs an access token and sets a new refresh cookie in `family` (a new family when omitted). */
export async function issueSession(c: Context<AppEnv>, user: User, family: string = crypto.randomUUID()): Promise<AuthResponse> {
  const refresh = newRefreshToken();
  await insertRefreshToken(c.var.db(), {
    id: newId(),
    userId: user.id,
    tokenHash: await sha256Hex(refresh),
    family,
    expiresAt: new Date(Date.now() + REFRESH_TTL_SECONDS * 1000),
  });
  setCookie(c, REFRESH_COOKIE, refresh, {
    httpOnly: true,
    secure: new URL(c.req.url).protocol === "https:",
    sameSite: "Strict",
    path: COOKIE_PATH,
    maxAge: REFRESH_TTL_SECONDS,
  });
  return { user, accessToken: await signAccessToken(c.env.AUTH_SECRET, user.id), expiresIn: ACCESS_TTL_SECONDS };
}

export function clearSession(c: Context<AppEnv>): void {
  deleteCookie(c, REFRESH_COOKIE, { path: COOKIE_PATH });
}

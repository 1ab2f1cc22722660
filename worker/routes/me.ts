/** The caller's profile: read, change, export, delete. */
import { Hono } from "hono";
import { z } from "zod";
import { throttleScope } from "../auth/client-address";
import { hashPassword, verifyPassword } from "../auth/password";
import { requireUser } from "../auth/require-user";
import { clearSession, issueSession } from "../auth/session-cookie";
import { attemptSucceeded, takeAttempt } from "../auth/throttle";
import { dropCachedCharacter } from "../cache/characters";
import { exportUserData, ownCharacterIds, userChatPairs } from "../db/export";
import { planOf } from "../db/plans";
import { deleteUser, findUserById, revokeAllFamilies, toUser, updateUser } from "../db/users";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import { text } from "../http/text";
import { llmSettings } from "../llm/config";
import { fetchUsage } from "../llm/usage";
import type { AppEnv } from "../resources";
import { sessionStub } from "../session/stub";
import type { PlanUsage } from "../shared/wire";
import { passwordSchema } from "./auth";

const patchSchema = z
  .object({
    displayName: text().trim().min(1).max(64),
    persona: text().max(4000),
  })
  .partial();
const passwordChange = z.object({ currentPassword: text().min(1).max(256), newPassword: passwordSchema });

export const meRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/", async (c) => {
    const row = await findUserById(c.var.db(), c.var.userId);
    if (!row) throw new AppError("unauthorized");
    return c.json({ user: toUser(row) });
  })
  // The plan comes from PostgreSQL; today's count only the gateway keeps, asked with the plan signed in.
  .get("/usage", async (c) => {
    const plan = await planOf(c.var.db(), c.var.userId);
    if (!plan) throw new AppError("unauthorized");
    const limits = { dailyTokens: plan.dailyTokens, maxStreams: plan.maxStreams };
    const usage = await fetchUsage(llmSettings(c.env), { sessionId: `user:${c.var.userId}`, userId: c.var.userId, limits });
    const body: PlanUsage = {
      plan: plan.plan,
      ...limits,
      today: usage && { day: usage.day, usedTokens: usage.usedTokens, resetsIn: usage.resetsIn },
    };
    return c.json(body);
  })
  .patch("/", async (c) => {
    const body = await readJson(c, patchSchema);
    const db = c.var.db();
    const row = await updateUser(db, c.var.userId, body);
    if (!row) throw new AppError("unauthorized");
    // Each conversation keeps the profile hot; tell them, so the next prompt has it.
    const profile = { displayName: row.displayName, persona: row.persona };
    const pairs = await userChatPairs(db, row.id);
    await Promise.all(
      pairs.map((p) => sessionStub(c.env, row.id, p.characterId).setProfile({ userId: row.id, characterId: p.characterId }, profile)),
    );
    return c.json({ user: toUser(row) });
  })
  .post("/password", async (c) => {
    const body = await readJson(c, passwordChange);
    const db = c.var.db();
    const row = await findUserById(db, c.var.userId);
    if (!row) throw new AppError("unauthorized");
    // The same count as sign-in: a stolen access token must not become unlimited password guesses.
    const throttle = await throttleScope(c, await c.var.redis.get());
    const wait = await takeAttempt(throttle, row.id);
    if (wait > 0) throw new AppError("too_many_attempts", { retryAfter: wait });
    if (!(await verifyPassword(body.currentPassword, row.passwordHash))) throw new AppError("invalid_credentials");
    await attemptSucceeded(throttle, row.id);
    await updateUser(db, row.id, { passwordHash: await hashPassword(body.newPassword) });
    // Every signed-in device ends (its refresh cookie no longer refreshes); this one gets a fresh cookie.
    // The refresh cookie is scoped to /api/auth, so this request cannot tell which family is its own.
    await revokeAllFamilies(db, row.id);
    await issueSession(c, toUser(row));
    return c.body(null, 204);
  })
  .get("/export", async (c) => {
    const db = c.var.db();
    const row = await findUserById(db, c.var.userId);
    if (!row) throw new AppError("unauthorized");
    c.header("Content-Disposition", `attachment; filename="export-${row.username}.json"`);
    return c.json({ exportedAt: new Date().toISOString(), user: toUser(row), ...(await exportUserData(db, row.id)) });
  })
  .delete("/", async (c) => {
    const db = c.var.db();
    // Session objects first: once the rows are gone nothing would lead to them.
    const [pairs, own] = await Promise.all([userChatPairs(db, c.var.userId), ownCharacterIds(db, c.var.userId)]);
    await Promise.all(pairs.map((p) => sessionStub(c.env, c.var.userId, p.characterId).destroy()));
    await deleteUser(db, c.var.userId);
    const redis = await c.var.redis.get();
    await Promise.all(own.map((id) => dropCachedCharacter(redis, id)));
    clearSession(c);
    return c.body(null, 204);
  });

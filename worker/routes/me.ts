/** The caller's profile: read, change, export, delete. */
import { Hono } from "hono";
import { z } from "zod";
import { hashPassword, verifyPassword } from "../auth/password";
import { requireUser } from "../auth/require-user";
import { clearSession } from "../auth/session-cookie";
import { dropCachedCharacter } from "../cache/characters";
import { exportUserData, ownCharacterIds, userChatPairs } from "../db/export";
import { deleteUser, findUserById, toUser, updateUser } from "../db/users";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import type { AppEnv } from "../resources";
import { sessionStub } from "../session/stub";
import { passwordSchema } from "./auth";

const patchSchema = z
  .object({
    displayName: z.string().trim().min(1).max(64),
    persona: z.string().max(4000),
  })
  .partial();
const passwordChange = z.object({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema });

export const meRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/", async (c) => {
    const row = await findUserById(c.var.db(), c.var.userId);
    if (!row) throw new AppError("unauthorized");
    return c.json({ user: toUser(row) });
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
    if (!(await verifyPassword(body.currentPassword, row.passwordHash))) throw new AppError("invalid_credentials");
    await updateUser(db, row.id, { passwordHash: await hashPassword(body.newPassword) });
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

/**
 * /api/me/personas: several personas per account. A change reaches every
 * conversation that uses the persona on its next prompt.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user";
import { userChatPairs } from "../db/export";
import { countPersonas, deletePersona, insertPersona, listPersonas, updatePersona } from "../db/personas";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import { text } from "../http/text";
import { isUuid, newId } from "../ids";
import type { AppEnv } from "../resources";
import { sessionStub } from "../session/stub";
import type { Persona } from "../shared/wire";

const MAX_PERSONAS = 20;
const fields = { name: text().trim().min(1).max(100), description: text().max(4000) };
const createSchema = z.object({ name: fields.name, description: fields.description.default("") });
const patchSchema = z.object({ name: fields.name.optional(), description: fields.description.optional() });

const personaId = (id: string | undefined) => {
  if (!id || !isUuid(id)) throw new AppError("not_found", { message: "Persona not found." });
  return id;
};

export const personaRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/", async (c) => c.json({ personas: await listPersonas(c.var.db(), c.var.userId) }))
  .post("/", async (c) => {
    const body = await readJson(c, createSchema);
    const db = c.var.db();
    if ((await countPersonas(db, c.var.userId)) >= MAX_PERSONAS) {
      throw new AppError("conflict", { message: `An account may have at most ${MAX_PERSONAS} personas.` });
    }
    return c.json({ persona: await insertPersona(db, { id: newId(), userId: c.var.userId, ...body }) }, 201);
  })
  .patch("/:id", async (c) => {
    const id = personaId(c.req.param("id"));
    const body = await readJson(c, patchSchema);
    const persona = await updatePersona(c.var.db(), c.var.userId, id, body);
    if (!persona) throw new AppError("not_found", { message: "Persona not found." });
    await tellConversations(c, id, persona);
    return c.json({ persona });
  })
  .delete("/:id", async (c) => {
    const id = personaId(c.req.param("id"));
    if (!(await deletePersona(c.var.db(), c.var.userId, id))) throw new AppError("not_found", { message: "Persona not found." });
    await tellConversations(c, id, null);
    return c.body(null, 204);
  });

/** Every conversation of the caller that uses persona `id` takes the new version (or, when deleted, the profile). */
async function tellConversations(c: Context<AppEnv>, id: string, persona: Persona | null): Promise<void> {
  const userId = c.var.userId;
  const pairs = await userChatPairs(c.var.db(), userId);
  await Promise.all(
    pairs.map((p) => sessionStub(c.env, userId, p.characterId).personaChanged({ userId, characterId: p.characterId }, id, persona)),
  );
}

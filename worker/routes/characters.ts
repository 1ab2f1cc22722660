/** Characters: list and search, CRUD by the creator, Card V2 import/export. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user";
import { cacheCharacter, dropCachedCharacter, getCachedCharacter } from "../cache/characters";
import { cardSchema, fromCard, toCard } from "../characters/card";
import {
  type CharacterRow,
  deleteCharacter,
  findCharacter,
  insertCharacter,
  listCharacters,
  toCharacter,
  updateCharacter,
} from "../db/characters";
import { characterChatPairs } from "../db/export";
import { AppError } from "../errors";
import { readJson } from "../http/body";
import { text, textProblem } from "../http/text";
import { isUuid, newId } from "../ids";
import type { AppEnv } from "../resources";
import { sessionStub } from "../session/stub";

const fields = {
  name: text().trim().min(1).max(100),
  tagline: text().max(200),
  description: text().max(20_000),
  greeting: text().max(10_000),
  scenario: text().max(10_000),
  exampleDialogues: text().max(20_000),
  visibility: z.enum(["public", "private"]),
};
const createSchema = z.object({
  ...fields,
  tagline: fields.tagline.default(""),
  description: fields.description.default(""),
  greeting: fields.greeting.default(""),
  scenario: fields.scenario.default(""),
  exampleDialogues: fields.exampleDialogues.default(""),
  visibility: fields.visibility.default("private"),
});
const patchSchema = z.object(fields).partial();
const PAGE = 24;

/** A character the caller may read (public or own), or 404. */
async function readableCharacter(c: Context<AppEnv>, id: string, cached = false): Promise<CharacterRow> {
  if (!isUuid(id)) throw new AppError("character_not_found");
  const redis = cached ? await c.var.redis.get() : null;
  let row = await getCachedCharacter(redis, id);
  if (!row) {
    row = (await findCharacter(c.var.db(), id)) ?? null;
    if (row) await cacheCharacter(redis, row);
  }
  if (!row || (row.visibility !== "public" && row.creatorId !== c.var.userId)) throw new AppError("character_not_found");
  return row;
}

/** A character the caller created: 404 if they cannot see it, 403 if they only can see it. */
async function ownCharacter(c: Context<AppEnv>, id: string): Promise<CharacterRow> {
  const row = await readableCharacter(c, id);
  if (row.creatorId !== c.var.userId) throw new AppError("forbidden");
  return row;
}

async function changed(c: Context<AppEnv>, id: string): Promise<void> {
  await dropCachedCharacter(await c.var.redis.get(), id);
}

/** The session objects that keep this character hot read it again on their next turn. */
async function refreshSessions(c: Context<AppEnv>, id: string): Promise<void> {
  const pairs = await characterChatPairs(c.var.db(), id);
  await Promise.all(pairs.map((p) => sessionStub(c.env, p.userId, id).refreshCharacter()));
}

export const characterRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/", async (c) => {
    const raw = c.req.query("q")?.trim();
    const problem = raw === undefined ? null : textProblem(raw);
    if (problem) throw new AppError("invalid_input", { field: "q", message: `q: ${problem}` });
    // At most 100 characters, cut between code points so no surrogate pair is split.
    const q = raw ? Array.from(raw).slice(0, 100).join("") : undefined;
    const cursor = c.req.query("cursor");
    if (cursor !== undefined && !isUuid(cursor)) throw new AppError("invalid_input", { field: "cursor" });
    const rows = await listCharacters(c.var.db(), c.var.userId, { q, cursor, limit: PAGE });
    const page = rows.slice(0, PAGE);
    return c.json({ characters: page.map(toCharacter), nextCursor: rows.length > PAGE ? page[page.length - 1].id : null });
  })
  .post("/", async (c) => {
    const body = await readJson(c, createSchema);
    const row = await insertCharacter(c.var.db(), { id: newId(), creatorId: c.var.userId, ...body });
    return c.json({ character: toCharacter(row) }, 201);
  })
  .post("/import", async (c) => {
    const card = await readJson(c, cardSchema, 256 * 1024);
    const { card: kept, ...fieldsOf } = fromCard(card);
    const row = await insertCharacter(c.var.db(), { id: newId(), creatorId: c.var.userId, visibility: "private", card: kept, ...fieldsOf });
    return c.json({ character: toCharacter(row) }, 201);
  })
  .get("/:id", async (c) => c.json({ character: toCharacter(await readableCharacter(c, c.req.param("id"))) }))
  .get("/:id/card", async (c) => {
    const row = await readableCharacter(c, c.req.param("id"));
    c.header("Content-Disposition", `attachment; filename="${row.name.replace(/[^\w.-]+/g, "_")}.card.json"`);
    return c.json(toCard(toCharacter(row), row.card));
  })
  .patch("/:id", async (c) => {
    const row = await ownCharacter(c, c.req.param("id"));
    const body = await readJson(c, patchSchema);
    const updated = await updateCharacter(c.var.db(), row.id, body);
    await Promise.all([changed(c, row.id), refreshSessions(c, row.id)]);
    if (!updated) throw new AppError("character_not_found");
    return c.json({ character: toCharacter(updated) });
  })
  .delete("/:id", async (c) => {
    const row = await ownCharacter(c, c.req.param("id"));
    // Every conversation with it ends too, in the session objects as well as in PostgreSQL.
    const pairs = await characterChatPairs(c.var.db(), row.id);
    await Promise.all(pairs.map((p) => sessionStub(c.env, p.userId, row.id).destroy()));
    await deleteCharacter(c.var.db(), row.id);
    await changed(c, row.id);
    return c.body(null, 204);
  });

/** The seed's cached read: same answer as GET /api/characters/:id. */
export const seedCharacterRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/:id", async (c) => c.json({ character: toCharacter(await readableCharacter(c, c.req.param("id"), true)) }));

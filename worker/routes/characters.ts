/** Characters: the catalogue (search, tags, sort), CRUD by the creator; cards and avatars are sub-apps. */
import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user";
import { normalizeTags } from "../characters/card-store";
import {
  type CatalogueQuery,
  deleteCharacter,
  insertCharacter,
  listCharacters,
  listTags,
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
import { dropAvatarIfUnused } from "../storage/avatars";
import { dropCached, ownCharacter, readableCharacter, refreshSessions } from "./character-access";
import { avatarRoutes } from "./character-avatar";
import { cardRoutes } from "./character-cards";

const fields = {
  name: text().trim().min(1).max(100),
  tagline: text().max(200),
  description: text().max(32_000),
  greeting: text().max(32_000),
  scenario: text().max(32_000),
  exampleDialogues: text().max(32_000),
  visibility: z.enum(["public", "private"]),
  tags: z.array(text().max(40)).max(20).transform(normalizeTags),
};
const createSchema = z.object({
  ...fields,
  tagline: fields.tagline.default(""),
  description: fields.description.default(""),
  greeting: fields.greeting.default(""),
  scenario: fields.scenario.default(""),
  exampleDialogues: fields.exampleDialogues.default(""),
  visibility: fields.visibility.default("private"),
  tags: fields.tags.default([]),
});
const patchSchema = z.object(fields).partial();
const PAGE = 24;
const SORTS = ["recent", "popular", "relevance"] as const;

/** The page after `cursor`: an id for recency, `o<offset>` for ranked orders. */
function afterCursor(cursor: string | undefined, sort: CatalogueQuery["sort"]): CatalogueQuery["after"] {
  if (cursor === undefined) return undefined;
  if (sort === "recent" && isUuid(cursor)) return { id: cursor };
  const m = /^o(\d{1,5})$/.exec(cursor);
  if (sort !== "recent" && m) return { offset: Number(m[1]) };
  throw new AppError("invalid_input", { field: "cursor" });
}

export const characterRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .route("/", cardRoutes)
  .route("/", avatarRoutes)
  .get("/", async (c) => {
    const raw = c.req.query("q")?.trim();
    const problem = raw === undefined ? null : textProblem(raw);
    if (problem) throw new AppError("invalid_input", { field: "q", message: `q: ${problem}` });
    // At most 100 characters, cut between code points so no surrogate pair is split.
    const q = raw ? Array.from(raw).slice(0, 100).join("") || undefined : undefined;
    const tag = normalizeTags([c.req.query("tag") ?? ""])[0];
    const sortParam = c.req.query("sort");
    if (sortParam !== undefined && !SORTS.includes(sortParam as CatalogueQuery["sort"]))
      throw new AppError("invalid_input", { field: "sort" });
    const sort = (sortParam as CatalogueQuery["sort"] | undefined) ?? (q ? "relevance" : "recent");
    const after = afterCursor(c.req.query("cursor"), sort);
    const rows = await listCharacters(c.var.db(), c.var.userId, { q, tag, sort, after, limit: PAGE });
    const page = rows.slice(0, PAGE);
    const offset = after && "offset" in after ? after.offset : 0;
    const next = rows.length > PAGE ? (sort === "recent" ? page[page.length - 1].id : `o${offset + PAGE}`) : null;
    return c.json({ characters: page.map(toCharacter), nextCursor: next });
  })
  .get("/tags", async (c) => c.json({ tags: await listTags(c.var.db(), c.var.userId) }))
  .post("/", async (c) => {
    const body = await readJson(c, createSchema);
    const row = await insertCharacter(c.var.db(), { id: newId(), creatorId: c.var.userId, ...body });
    return c.json({ character: toCharacter(row) }, 201);
  })
  .get("/:id", async (c) => c.json({ character: toCharacter(await readableCharacter(c, c.req.param("id"))) }))
  .patch("/:id", async (c) => {
    const row = await ownCharacter(c, c.req.param("id"));
    const body = await readJson(c, patchSchema);
    const updated = await updateCharacter(c.var.db(), row.id, body);
    await Promise.all([dropCached(c, row.id), refreshSessions(c, row.id)]);
    if (!updated) throw new AppError("character_not_found");
    return c.json({ character: toCharacter(updated) });
  })
  .delete("/:id", async (c) => {
    const row = await ownCharacter(c, c.req.param("id"));
    // Every conversation with it ends too, in the session objects as well as in PostgreSQL.
    const pairs = await characterChatPairs(c.var.db(), row.id);
    await Promise.all(pairs.map((p) => sessionStub(c.env, p.userId, row.id).destroy()));
    await deleteCharacter(c.var.db(), row.id);
    await Promise.all([dropCached(c, row.id), dropAvatarIfUnused(c.env.AVATARS, c.var.db(), row.avatarKey)]);
    return c.body(null, 204);
  });

/** The seed's cached read: same answer as GET /api/characters/:id. */
export const seedCharacterRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/:id", async (c) => c.json({ character: toCharacter(await readableCharacter(c, c.req.param("id"), true)) }));

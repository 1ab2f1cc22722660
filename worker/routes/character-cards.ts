/**
 * Character Cards in and out: import a V1/V2/V3 JSON card or a PNG card
 * (its image becomes the avatar), export as JSON (V2 or V3) or as a PNG
 * carrying the avatar with both `chara` and `ccv3` chunks. A card that fails
 * any check is refused before anything is written.
 */
import { Hono } from "hono";
import { type CardResult, parseCardText } from "../characters/card-parse";
import { exportCards, storeCard } from "../characters/card-store";
import { readPngCard, writePngCard } from "../characters/png-card";
import { insertCharacter, toCharacter } from "../db/characters";
import { AppError } from "../errors";
import { readBytes } from "../http/body";
import { newId } from "../ids";
import { type AvatarResult, prepareAvatar } from "../images/avatar-image";
import { isPng } from "../images/png-chunks";
import type { AppEnv } from "../resources";
import { getAvatar, putAvatar } from "../storage/avatars";
import { readableCharacter } from "./character-access";
import { PLACEHOLDER_PNG } from "./placeholder-png";

/**
 * A PNG card may carry a large picture; the card itself (JSON, or the JSON in
 * a PNG) stays within 1 MB, so a session object can keep what the prompt needs
 * of it in one storage value (SQLite values are limited to 2 MB).
 */
export const PNG_CARD_LIMIT = 8 * 1024 * 1024;
export const JSON_CARD_LIMIT = 1024 * 1024;
const TOO_LARGE = { message: "The card data is larger than 1 MB." };

function cardOrThrow(result: CardResult) {
  if (!result.ok) throw new AppError(result.problem.code, { message: result.problem.message, field: result.problem.field });
  return result.card;
}

function avatarOrThrow(result: AvatarResult) {
  if (!result.ok) throw new AppError(result.code === "unsupported_media_type" ? "invalid_card" : result.code, { message: result.message });
  return result;
}

const attachment = (name: string, ext: string) => `attachment; filename="${name.replace(/[^\w.-]+/g, "_") || "character"}.${ext}"`;

export const cardRoutes = new Hono<AppEnv>()
  .post("/import", async (c) => {
    const bytes = await readBytes(c.req.raw, PNG_CARD_LIMIT);
    let card: ReturnType<typeof cardOrThrow>;
    let avatar: Extract<AvatarResult, { ok: true }> | null = null;
    if (isPng(bytes)) {
      const png = readPngCard(bytes);
      if (!png.ok) throw new AppError("invalid_card", { message: png.message });
      if (new TextEncoder().encode(png.json).length > JSON_CARD_LIMIT) throw new AppError("content_too_large", TOO_LARGE);
      card = cardOrThrow(parseCardText(png.json));
      avatar = avatarOrThrow(prepareAvatar(bytes));
    } else {
      if (bytes.length > JSON_CARD_LIMIT) throw new AppError("content_too_large", TOO_LARGE);
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        throw new AppError("invalid_card", { message: "The file is neither a PNG nor UTF-8 JSON." });
      }
      card = cardOrThrow(parseCardText(text));
    }
    const { fields, card: kept } = storeCard(card);
    const avatarKey = avatar ? await putAvatar(c.env.AVATARS, avatar.bytes, avatar.contentType) : null;
    const row = await insertCharacter(c.var.db(), {
      id: newId(),
      creatorId: c.var.userId,
      visibility: "private",
      card: { ...kept },
      avatarKey,
      ...fields,
    });
    return c.json({ character: toCharacter(row) }, 201);
  })
  .get("/:id/card", async (c) => {
    const row = await readableCharacter(c, c.req.param("id"));
    const spec = c.req.query("spec");
    if (spec !== undefined && spec !== "v2" && spec !== "v3") throw new AppError("invalid_input", { field: "spec" });
    const cards = exportCards(toCharacter(row), row.card);
    const v3 = spec ? spec === "v3" : cards.source === "chara_card_v3";
    c.header("Content-Disposition", attachment(row.name, "card.json"));
    return c.json(v3 ? cards.v3 : cards.v2);
  })
  .get("/:id/card.png", async (c) => {
    const row = await readableCharacter(c, c.req.param("id"));
    const cards = exportCards(toCharacter(row), row.card);
    const stored = row.avatarKey ? await getAvatar(c.env.AVATARS, row.avatarKey) : null;
    const image = stored ? new Uint8Array(await stored.arrayBuffer()) : null;
    // Only a PNG can carry the chunks; a JPEG or WebP avatar is not re-encoded here.
    const usable = image && isPng(image);
    const png = writePngCard(usable ? image : PLACEHOLDER_PNG, cards.v2, cards.v3);
    return c.body(png as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": "image/png",
      "Content-Disposition": attachment(row.name, "png"),
      "X-Content-Type-Options": "nosniff",
      "X-Card-Image": usable ? "avatar" : "placeholder",
    });
  });

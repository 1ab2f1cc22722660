/**
 * Seeds the public sample characters on an empty database, once: a
 * `gallery` account (it cannot sign in) owns them. A database that already
 * has characters, or that was seeded before, is left alone. Uses the
 * worker's own card import path, so the samples are stored exactly like an
 * imported card. Node only (npm start).
 */
import { parseCardValue } from "../worker/characters/card-parse";
import { storeCard } from "../worker/characters/card-store";
import { hasCharacters, insertCharacter } from "../worker/db/characters";
import { createDb } from "../worker/db/client";
import { findUserByUsername, insertUser } from "../worker/db/users";
import { newId } from "../worker/ids";
import { prepareAvatar } from "../worker/images/avatar-image";
import { putAvatar } from "../worker/storage/avatars";
import { avatarPng } from "./png-encode";
import { SAMPLE_CARDS } from "./samples/cards";

export const SAMPLES_USERNAME = "gallery";

export type SeedOutcome = "seeded" | "already_seeded" | "not_empty";

/** `bucket` is opened only when there is something to seed. */
export async function seedSamples(databaseUrl: string, bucket: () => Promise<R2Bucket>): Promise<SeedOutcome> {
  const { db, close } = createDb(databaseUrl);
  try {
    if (await findUserByUsername(db, SAMPLES_USERNAME)) return "already_seeded";
    if (await hasCharacters(db)) return "not_empty";
    const owner = await insertUser(db, {
      id: newId(),
      username: SAMPLES_USERNAME,
      email: "gallery@samples.invalid",
      // Not a hash of any password: nobody can sign in as the samples' owner.
      passwordHash: "disabled",
      displayName: "Sample characters",
    });
    if (!owner.ok) return "already_seeded";
    const objects = await bucket();
    for (const [i, source] of SAMPLE_CARDS.entries()) {
      const parsed = parseCardValue(source);
      if (!parsed.ok) throw new Error(`sample ${i}: ${parsed.problem.message}`);
      const { fields, card } = storeCard(parsed.card);
      const avatar = prepareAvatar(avatarPng(i + 1, 256));
      if (!avatar.ok) throw new Error(`sample ${i}: ${avatar.message}`);
      const avatarKey = await putAvatar(objects, avatar.bytes, avatar.contentType);
      await insertCharacter(db, { id: newId(), creatorId: owner.user.id, visibility: "public", card: { ...card }, avatarKey, ...fields });
    }
    return "seeded";
  } finally {
    await close();
  }
}

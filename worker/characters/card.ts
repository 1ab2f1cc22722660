/**
 * Character Card V2 (`spec: "chara_card_v2"`) import and export. Fields we
 * do not model (personality, alternate greetings, unknown extensions, …)
 * are kept verbatim so a round trip loses nothing.
 */
import { z } from "zod";
import type { Character, CharacterText } from "../shared/wire";

export const cardSchema = z.object({
  spec: z.literal("chara_card_v2"),
  spec_version: z.string().max(16).default("2.0"),
  data: z.looseObject({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(20_000).default(""),
    personality: z.string().max(20_000).default(""),
    scenario: z.string().max(20_000).default(""),
    first_mes: z.string().max(20_000).default(""),
    mes_example: z.string().max(20_000).default(""),
    creator_notes: z.string().max(20_000).default(""),
    extensions: z.record(z.string(), z.unknown()).default({}),
  }),
});
export type CharacterCard = z.infer<typeof cardSchema>;

export interface CardImport extends CharacterText {
  /** Everything else of the card, for export. */
  card: Record<string, unknown>;
}

/** The character fields of a card, and the rest of it to keep. */
export function fromCard(input: CharacterCard): CardImport {
  const { name, description, scenario, first_mes, mes_example, creator_notes, ...rest } = input.data;
  return {
    name,
    tagline: (creator_notes.split("\n")[0] ?? "").slice(0, 140),
    description,
    greeting: first_mes,
    scenario,
    exampleDialogues: mes_example,
    card: { ...rest, creator_notes, spec_version: input.spec_version },
  };
}

/** A card for the character, merging back what the import kept. */
export function toCard(ch: Character, kept: Record<string, unknown>): CharacterCard & { data: Record<string, unknown> } {
  const { spec_version, ...rest } = kept;
  return {
    spec: "chara_card_v2",
    spec_version: typeof spec_version === "string" ? spec_version : "2.0",
    data: {
      personality: "",
      system_prompt: "",
      post_history_instructions: "",
      alternate_greetings: [],
      tags: [],
      creator: "",
      character_version: "",
      ...rest,
      name: ch.name,
      description: ch.description,
      scenario: ch.scenario,
      first_mes: ch.greeting,
      mes_example: ch.exampleDialogues,
      // Imported notes stay as they were unless the tagline taken from them was changed since.
      creator_notes:
        typeof rest.creator_notes === "string" && (rest.creator_notes.split("\n")[0] ?? "").slice(0, 140) === ch.tagline
          ? rest.creator_notes
          : ch.tagline,
      extensions: (rest.extensions as Record<string, unknown> | undefined) ?? {},
    },
  };
}

/**
 * The shapes of Character Cards V1, V2 (`chara_card_v2`) and V3
 * (`chara_card_v3`) as we accept them: every field the specs name is
 * type-checked and bounded, everything else (unknown fields, `extensions`)
 * passes through untouched for a lossless round trip.
 */
import { z } from "zod";

/** Longest text of any one field. */
export const MAX_CARD_TEXT = 32_000;
export const MAX_GREETINGS = 64;
export const MAX_TAGS = 64;
export const MAX_BOOK_ENTRIES = 1_000;
export const MAX_ENTRY_KEYS = 64;

const text = z.string().max(MAX_CARD_TEXT);
const short = z.string().max(200);
const record = z.record(z.string(), z.unknown());

const bookEntry = z.looseObject({
  keys: z.array(short).max(MAX_ENTRY_KEYS).optional(),
  secondary_keys: z.array(short).max(MAX_ENTRY_KEYS).optional(),
  content: text.optional(),
  comment: z.string().max(1_000).optional(),
  name: z.string().max(1_000).optional(),
  enabled: z.boolean().optional(),
  constant: z.boolean().optional(),
  selective: z.boolean().optional(),
  case_sensitive: z.boolean().nullish(),
  use_regex: z.boolean().optional(),
  insertion_order: z.number().optional(),
  priority: z.number().nullish(),
  position: z.string().max(32).nullish(),
  extensions: record.optional(),
});

const characterBook = z.looseObject({
  name: z.string().max(1_000).optional(),
  description: text.optional(),
  scan_depth: z.number().nullish(),
  token_budget: z.number().nullish(),
  recursive_scanning: z.boolean().nullish(),
  extensions: record.optional(),
  entries: z.array(bookEntry).max(MAX_BOOK_ENTRIES),
});

/** The `data` of a V2 or V3 card (V3's extra fields are optional, so a V2 card reads the same). */
export const cardData = z.looseObject({
  name: z.string().trim().min(1).max(100),
  description: text.default(""),
  personality: text.default(""),
  scenario: text.default(""),
  first_mes: text.default(""),
  mes_example: text.default(""),
  creator_notes: text.default(""),
  system_prompt: text.default(""),
  post_history_instructions: text.default(""),
  alternate_greetings: z.array(text).max(MAX_GREETINGS).default([]),
  tags: z.array(z.string().max(100)).max(MAX_TAGS).default([]),
  creator: short.default(""),
  character_version: short.default(""),
  extensions: record.default({}),
  character_book: characterBook.optional(),
  // V3
  nickname: z.string().max(100).optional(),
  group_only_greetings: z.array(text).max(MAX_GREETINGS).optional(),
  creator_notes_multilingual: z.record(z.string(), text).optional(),
  source: z.array(z.string().max(2_000)).max(64).optional(),
  assets: z
    .array(z.looseObject({ type: short, uri: z.string().max(2_000), name: short, ext: short }))
    .max(100)
    .optional(),
  creation_date: z.number().optional(),
  modification_date: z.number().optional(),
});
export type CardData = z.infer<typeof cardData>;

export const cardV2 = z.looseObject({ spec: z.literal("chara_card_v2"), spec_version: z.string().max(16).default("2.0"), data: cardData });
export const cardV3 = z.looseObject({ spec: z.literal("chara_card_v3"), spec_version: z.string().max(16).default("3.0"), data: cardData });

/** A V1 card: the fields at the top level, no `spec`. */
export const cardV1 = z.looseObject({
  name: z.string().trim().min(1).max(100),
  description: text.default(""),
  personality: text.default(""),
  scenario: text.default(""),
  first_mes: text.default(""),
  mes_example: text.default(""),
});

/** The V1 fields SillyTavern also writes at the top level of a V2 card. */
export const V1_FIELDS = ["name", "description", "personality", "scenario", "first_mes", "mes_example"] as const;

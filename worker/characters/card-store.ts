/**
 * A card as we keep it: the fields the app shows and edits are columns of
 * `characters`; everything else of the card (its other data fields, unknown
 * fields, extensions, the lorebook, unknown top-level fields) is kept in the
 * `card` jsonb as it came, and merged back on export as V2 and as V3. Pure.
 */
import type { CardSpec, ParsedCard } from "./card-parse";
import { V1_FIELDS } from "./card-schema";

/** The card's part that lives in columns. */
export interface CharacterFields {
  name: string;
  tagline: string;
  description: string;
  greeting: string;
  scenario: string;
  exampleDialogues: string;
  /** Normalised for search and filtering (the card keeps its own spelling). */
  tags: string[];
}

/** The `card` jsonb: what the columns do not hold. */
export interface StoredCard {
  v: 2;
  spec: CardSpec;
  spec_version: string;
  data: Record<string, unknown>;
  envelope: Record<string, unknown>;
}

const COLUMN_FIELDS = ["name", "description", "scenario", "first_mes", "mes_example"];
export const MAX_CHARACTER_TAGS = 20;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Lower case, single spaces, at most 40 characters, no duplicates, at most 20. */
export function normalizeTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  const out: string[] = [];
  for (const t of tags) {
    if (typeof t !== "string") continue;
    const tag = t.trim().replace(/\s+/g, " ").toLowerCase().slice(0, 40);
    if (tag && !out.includes(tag)) out.push(tag);
    if (out.length === MAX_CHARACTER_TAGS) break;
  }
  return out;
}

/** The one-line tagline shown in the gallery: the first line of the creator's notes. */
export function taglineOf(creatorNotes: unknown): string {
  return typeof creatorNotes === "string" ? (creatorNotes.split("\n")[0] ?? "").trim().slice(0, 140) : "";
}

/** Splits a parsed card into its columns and the rest. */
export function storeCard(card: ParsedCard): { fields: CharacterFields; card: StoredCard } {
  const d = card.data;
  const data: Record<string, unknown> = { ...d };
  for (const k of COLUMN_FIELDS) delete data[k];
  return {
    fields: {
      name: d.name,
      tagline: taglineOf(d.creator_notes),
      description: d.description,
      greeting: d.first_mes,
      scenario: d.scenario,
      exampleDialogues: d.mes_example,
      tags: normalizeTags(d.tags),
    },
    card: { v: 2, spec: card.source, spec_version: card.specVersion, data, envelope: card.envelope },
  };
}

/** The stored jsonb in its current shape; rows written before V3 support held the V2 data fields flat. */
export function readStored(raw: unknown): StoredCard {
  if (isObj(raw) && raw.v === 2 && isObj(raw.data)) {
    const spec = raw.spec === "chara_card_v3" || raw.spec === "v1" ? raw.spec : "chara_card_v2";
    return {
      v: 2,
      spec,
      spec_version: typeof raw.spec_version === "string" ? raw.spec_version : "2.0",
      data: raw.data,
      envelope: isObj(raw.envelope) ? raw.envelope : {},
    };
  }
  const { spec_version, ...data } = isObj(raw) ? raw : {};
  return { v: 2, spec: "chara_card_v2", spec_version: typeof spec_version === "string" ? spec_version : "2.0", data, envelope: {} };
}

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

/** The card's data with the character's current fields merged over what was kept. */
export function exportData(current: CharacterFields, stored: StoredCard): Record<string, unknown> {
  const kept = stored.data;
  return {
    personality: "",
    system_prompt: "",
    post_history_instructions: "",
    alternate_greetings: [],
    creator: "",
    character_version: "",
    ...kept,
    name: current.name,
    description: current.description,
    scenario: current.scenario,
    first_mes: current.greeting,
    mes_example: current.exampleDialogues,
    // Imported notes and tags stay as written unless they were changed in the app since.
    creator_notes: taglineOf(kept.creator_notes) === current.tagline ? (kept.creator_notes ?? "") : current.tagline,
    tags: Array.isArray(kept.tags) && sameTags(normalizeTags(kept.tags), current.tags) ? kept.tags : current.tags,
    extensions: isObj(kept.extensions) ? kept.extensions : {},
  };
}

/** The character as a V2 and a V3 card, unknown fields and extensions included. */
export function exportCards(
  current: CharacterFields,
  raw: unknown,
): { source: CardSpec; v2: Record<string, unknown>; v3: Record<string, unknown> } {
  const stored = readStored(raw);
  const data = exportData(current, stored);
  // Top-level copies of the V1 fields (SillyTavern writes them) follow the current data.
  const envelope = { ...stored.envelope };
  for (const k of V1_FIELDS) if (k in envelope) envelope[k] = data[k];
  return {
    source: stored.spec,
    v2: { ...envelope, spec: "chara_card_v2", spec_version: stored.spec === "chara_card_v2" ? stored.spec_version : "2.0", data },
    v3: {
      ...envelope,
      spec: "chara_card_v3",
      spec_version: stored.spec === "chara_card_v3" ? stored.spec_version : "3.0",
      data: { ...data, group_only_greetings: Array.isArray(data.group_only_greetings) ? data.group_only_greetings : [] },
    },
  };
}

/**
 * Reading a card from JSON text: bounded first (depth, keys, NUL), then
 * recognised as V1, V2 or V3 and validated. Expected failures come back as
 * a problem with an error code of the table, never as an exception. Pure.
 */
import type { z } from "zod";
import type { ErrorCode } from "../errors";
import { type CardData, cardData, cardV1, cardV2, cardV3, V1_FIELDS } from "./card-schema";
import { checkShape, nestingDepth } from "./json-shape";

export type CardSpec = "v1" | "chara_card_v2" | "chara_card_v3";

export interface ParsedCard {
  source: CardSpec;
  specVersion: string;
  data: CardData;
  /** Top-level fields besides `spec`, `spec_version` and `data` (for a V1 card: besides its own fields), kept for export. */
  envelope: Record<string, unknown>;
}

export interface CardProblem {
  code: Extract<ErrorCode, "invalid_json" | "invalid_input" | "invalid_card">;
  message: string;
  field?: string;
}

export type CardResult = { ok: true; card: ParsedCard } | { ok: false; problem: CardProblem };

/** Nesting and size bounds for a whole card, extensions included. */
export const CARD_LIMITS = { maxDepth: 64, maxKeys: 50_000 };

const fail = (problem: CardProblem): CardResult => ({ ok: false, problem });

function schemaProblem(error: z.ZodError, prefix: string): CardResult {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join(".") || undefined;
  return fail({ code: "invalid_input", field, message: field ? `${field}: ${issue?.message}` : (issue?.message ?? "Invalid card.") });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function without(obj: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const rest = { ...obj };
  for (const k of keys) delete rest[k];
  return rest;
}

/** A card from an already-parsed JSON value. */
export function parseCardValue(value: unknown): CardResult {
  if (!isObj(value)) return fail({ code: "invalid_card", message: "A character card is a JSON object." });
  const shape = checkShape(value, CARD_LIMITS);
  if (shape?.kind === "nul")
    return fail({ code: "invalid_input", field: shape.field, message: `${shape.field}: text may not contain U+0000.` });
  if (shape?.kind === "too_deep")
    return fail({ code: "invalid_card", message: `The card is nested more than ${CARD_LIMITS.maxDepth} levels deep.` });
  if (shape) return fail({ code: "invalid_card", message: `The card has more than ${CARD_LIMITS.maxKeys} fields.` });

  if ("spec" in value || isObj(value.data)) {
    const spec = (value.spec ?? "chara_card_v2") as CardSpec;
    const schema = spec === "chara_card_v3" ? cardV3 : spec === "chara_card_v2" ? cardV2 : null;
    if (!schema)
      return fail({
        code: "invalid_input",
        field: "spec",
        message: "spec: expected chara_card_v2 or chara_card_v3 (or no spec for a V1 card).",
      });
    const parsed = schema.safeParse({ ...value, spec });
    if (!parsed.success) return schemaProblem(parsed.error, "");
    return {
      ok: true,
      card: {
        source: spec,
        specVersion: parsed.data.spec_version,
        data: parsed.data.data,
        envelope: without(value, ["spec", "spec_version", "data"]),
      },
    };
  }
  const v1 = cardV1.safeParse(value);
  if (!v1.success) return schemaProblem(v1.error, "");
  const extra = pick(value, ["creator_notes", "tags"]);
  const data = cardData.safeParse({ ...pick(v1.data, V1_FIELDS), ...extra });
  if (!data.success) return schemaProblem(data.error, "");
  return {
    ok: true,
    card: { source: "v1", specVersion: "1.0", data: data.data, envelope: without(value, [...V1_FIELDS, ...Object.keys(extra)]) },
  };
}

/** The named fields of `value` that are strings or string lists (V1 exports often carry `creator_notes` and `tags` too). */
function pick(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = value[k];
    if (typeof v === "string" || (Array.isArray(v) && v.every((t) => typeof t === "string"))) out[k] = v;
  }
  return out;
}

/** A card from JSON text (a file, or a PNG chunk's payload). */
export function parseCardText(text: string): CardResult {
  if (nestingDepth(text, CARD_LIMITS.maxDepth) > CARD_LIMITS.maxDepth)
    return fail({ code: "invalid_card", message: `The card is nested more than ${CARD_LIMITS.maxDepth} levels deep.` });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail({ code: "invalid_json", message: "The card is not valid JSON." });
  }
  return parseCardValue(value);
}

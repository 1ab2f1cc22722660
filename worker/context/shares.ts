/**
 * Budget shares: how the prompt budget is split between the character
 * sheet, pinned memories, the running summary, recalled turns and recent
 * turns. Pure. Configured as LLM_BUDGET_SHARES="memories=0.15,summary=0.15,recall=0.15";
 * recall's share grows up to `recall_max` as the past falls out of the
 * window, and the recent turns always keep `recent_min` (worker/recall/budget.ts).
 */
import type { PromptSection } from "./prompt";
import { countTokens, truncateToTokens } from "./tokens";

export interface Shares {
  memories: number;
  summary: number;
  recall: number;
  /** The share recall grows to when much of the past is out of the window. */
  recallMax: number;
  /** The share the recent turns keep whatever recall takes. */
  recentMin: number;
}
export const DEFAULT_SHARES: Shares = { memories: 0.15, summary: 0.15, recall: 0.15, recallMax: 0.6, recentMin: 0.2 };

const KEYS: Record<string, { key: keyof Shares; max: number }> = {
  memories: { key: "memories", max: 0.5 },
  summary: { key: "summary", max: 0.5 },
  recall: { key: "recall", max: 0.5 },
  recall_max: { key: "recallMax", max: 0.9 },
  recent_min: { key: "recentMin", max: 0.9 },
};

export function parseShares(value: string | undefined): Shares {
  const shares = { ...DEFAULT_SHARES };
  for (const part of (value ?? "").split(",")) {
    const [k, v] = part.split("=").map((s) => s.trim());
    const n = Number(v);
    const known = Object.hasOwn(KEYS, k) ? KEYS[k] : undefined;
    if (known && v !== "" && Number.isFinite(n) && n >= 0 && n <= known.max) shares[known.key] = n;
  }
  return shares;
}

export interface Item {
  id: string;
  text: string;
  tokens: number;
}

/** A titled list of items, taking them in order while they fit in `max` tokens. */
export function listSection(name: string, title: string, items: Item[], max: number): PromptSection {
  const header = countTokens(title) + 1;
  let used = header;
  const kept: Item[] = [];
  const excluded: { id: string; tokens: number }[] = [];
  for (const item of items) {
    const cost = item.tokens + 2;
    if (used + cost <= max) {
      kept.push(item);
      used += cost;
    } else {
      excluded.push({ id: item.id, tokens: item.tokens });
    }
  }
  if (kept.length === 0) return { name, text: "", tokens: 0, budget: max, excluded };
  const text = `${title}\n${kept.map((i) => `- ${i.text}`).join("\n")}`;
  // Stored counts plus separators: never re-counted on a turn.
  return { name, text, tokens: used, budget: max, items: kept.map((i) => ({ id: i.id, tokens: i.tokens })), excluded };
}

/** A titled block of text (its tokens counted when it was stored) cut to `max` tokens. */
export function textSection(name: string, title: string, body: Item, max: number): PromptSection {
  if (!body.text) return { name, text: "", tokens: 0, budget: max };
  let text = `${title}\n${body.text}`;
  let tokens = countTokens(title) + 1 + body.tokens;
  if (tokens > max) {
    text = truncateToTokens(text, max);
    tokens = countTokens(text);
  }
  return { name, text, tokens, budget: max, items: [{ id: body.id, tokens }] };
}

/**
 * From ranked recalled turns to what the prompt holds: whole exchanges in
 * rank order while they fit the budget (one that does not fit is passed
 * over for a smaller one after it), then in conversation order under a
 * line for each date, each turn with its speaker:
 *
 *     [8 May 2023]
 *     - Sam: …
 *     - Ada: …
 *
 * Tokens are the stored counts plus what the names and dates add, counted
 * by the caller's `count` (a conversation has few names and dates). Pure.
 */
import { dateMarker } from "./dates";
import type { RecalledTurn } from "./types";

/** What a listed item costs beyond its own text: the bullet and the line break. */
export const ITEM_OVERHEAD = 2;

export interface RecallItem {
  id: string;
  /** "Name: content". */
  text: string;
  tokens: number;
  turn: RecalledTurn;
}

export type Count = (text: string) => number;

export function itemOf(turn: RecalledTurn, name: string, count: Count): RecallItem {
  const prefix = `${name}: `;
  return { id: turn.id, text: `${prefix}${turn.content}`, tokens: turn.tokens + count(prefix), turn };
}

/** The date line shown before a turn, or null when the turn opens with that date itself (or dates are off). */
function dateLine(turn: RecalledTurn, dates: boolean): string | null {
  if (!dates || !turn.date || dateMarker(turn.content) === turn.date) return null;
  return `[${turn.date}]`;
}

/**
 * Whole groups in rank order within `budget`, returned in conversation
 * order. Each group is charged its items and one date line (an upper bound:
 * neighbours of the same date share one).
 */
export function fitGroups(
  items: readonly RecallItem[],
  budget: number,
  dates: boolean,
  count: Count,
  skip: ReadonlySet<string> = new Set(),
): RecallItem[] {
  const groups = new Map<string, RecallItem[]>();
  for (const it of items) {
    if (skip.has(it.id)) continue;
    const g = groups.get(it.turn.group);
    if (g) g.push(it);
    else groups.set(it.turn.group, [it]);
  }
  const kept: RecallItem[] = [];
  let left = budget;
  for (const g of groups.values()) {
    const line = dateLine(g[0].turn, dates);
    const cost = g.reduce((n, it) => n + it.tokens + ITEM_OVERHEAD, line ? count(line) + 1 : 0);
    if (cost > left) continue;
    kept.push(...g);
    left -= cost;
  }
  return kept.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The section's text and tokens: the title, then the items in order with a date line wherever the date changes. */
export function recallText(title: string, kept: readonly RecallItem[], dates: boolean, count: Count): { text: string; tokens: number } {
  const lines = [title];
  let tokens = count(title);
  let current: string | null = null;
  for (const it of kept) {
    const date = it.turn.date;
    if (dates && date && date !== current) {
      current = date;
      const line = dateLine(it.turn, dates);
      if (line) {
        lines.push(line);
        tokens += count(line) + 1;
      }
    }
    lines.push(`- ${it.text}`);
    tokens += it.tokens + ITEM_OVERHEAD;
  }
  return { text: lines.join("\n"), tokens };
}

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
 * order. Each group is charged its items and, when its date has no line
 * yet, one date line (`dateOnce` off: a line for every group, an upper
 * bound). The text is then costed as `recallText` writes it, and the
 * lowest-ranked groups given back while it would not fit (a date marker
 * that comes back later in the conversation needs its line again).
 */
export function fitGroups(
  items: readonly RecallItem[],
  budget: number,
  dates: boolean,
  count: Count,
  skip: ReadonlySet<string> = new Set(),
  dateOnce = true,
): RecallItem[] {
  const groups = new Map<string, RecallItem[]>();
  for (const it of items) {
    if (skip.has(it.id)) continue;
    const g = groups.get(it.turn.group);
    if (g) g.push(it);
    else groups.set(it.turn.group, [it]);
  }
  const kept: RecallItem[][] = [];
  const dated = new Set<string>();
  let left = budget;
  for (const g of groups.values()) {
    const line = dateLine(g[0].turn, dates);
    const fresh = line !== null && !(dateOnce && dated.has(line));
    const cost = g.reduce((n, it) => n + it.tokens + ITEM_OVERHEAD, fresh ? count(line) + 1 : 0);
    if (cost > left) continue;
    kept.push(g);
    if (line) dated.add(line);
    left -= cost;
  }
  const ordered = () => kept.flat().sort((a, b) => (a.id < b.id ? -1 : 1));
  while (kept.length > 0 && bodyTokens(ordered(), dates, count) > budget) kept.pop();
  return ordered();
}

/** What the items and their date lines cost in the section (without its title). */
function bodyTokens(kept: readonly RecallItem[], dates: boolean, count: Count): number {
  let tokens = 0;
  let current: string | null = null;
  for (const it of kept) {
    const date = it.turn.date;
    if (dates && date && date !== current) {
      current = date;
      const line = dateLine(it.turn, dates);
      if (line) tokens += count(line) + 1;
    }
    tokens += it.tokens + ITEM_OVERHEAD;
  }
  return tokens;
}

/** The section's text and tokens: the title, then the items in order with a date line wherever the date changes. */
export function recallText(title: string, kept: readonly RecallItem[], dates: boolean, count: Count): { text: string; tokens: number } {
  const lines = [title];
  let current: string | null = null;
  for (const it of kept) {
    const date = it.turn.date;
    if (dates && date && date !== current) {
      current = date;
      const line = dateLine(it.turn, dates);
      if (line) lines.push(line);
    }
    lines.push(`- ${it.text}`);
  }
  return { text: lines.join("\n"), tokens: count(title) + bodyTokens(kept, dates, count) };
}

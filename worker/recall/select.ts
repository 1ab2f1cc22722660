/**
 * From ranked recalled turns to what the prompt holds: whole groups in
 * rank order (or by score per token) while they fit the budget (one that
 * does not fit is passed over for a smaller one after it), then in
 * conversation order under a line for each date, each turn with its speaker:
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

export interface FitOptions {
  /** Each turn under a line with its date. */
  dates: boolean;
  /** Items not to keep (the recent window holds them). */
  skip?: ReadonlySet<string>;
  /** A date line is charged once per date (off: once per group, an upper bound). */
  dateOnce?: boolean;
  /**
   * How much a group's cost weighs against its rank: groups are taken by
   * score ÷ tokens^perToken (with its date line when that date has none yet).
   * 0: in rank order, the first that fit.
   */
  perToken?: number;
}

/**
 * Whole groups within `budget`, returned in conversation order. Groups are
 * taken in rank order, or by score per token (`perToken`), passing over one
 * that does not fit for one after it that does. Each group is charged its
 * items and, when its date has no line yet, one date line. The text is then
 * costed as `recallText` writes it, and the last groups taken given back
 * while it would not fit (a date marker that comes back later in the
 * conversation needs its line again).
 */
export function fitGroups(items: readonly RecallItem[], budget: number, count: Count, o: FitOptions): RecallItem[] {
  const { dates, skip, dateOnce = true, perToken = 0 } = o;
  const groups = new Map<string, RecallItem[]>();
  for (const it of items) {
    if (skip?.has(it.id)) continue;
    const g = groups.get(it.turn.group);
    if (g) g.push(it);
    else groups.set(it.turn.group, [it]);
  }
  // Each group's own cost and score once; only whether its date line is still owed changes as groups are taken.
  const left = [...groups.values()].map((items) => {
    const line = dateLine(items[0].turn, dates);
    const cost = items.reduce((n, it) => n + it.tokens + ITEM_OVERHEAD, 0);
    const withLine = cost + (line === null ? 0 : count(line) + 1);
    const score = Math.max(...items.map((it) => it.turn.score));
    const worth = (c: number) => (perToken > 0 ? score / Math.max(1, c) ** perToken : 0);
    return { items, line, cost, withLine, worth: worth(cost), worthWithLine: worth(withLine) };
  });
  const kept: RecallItem[][] = [];
  const dated = new Set<string>();
  const owes = (g: (typeof left)[number]) => g.line !== null && !(dateOnce && dated.has(g.line));
  let room = budget;
  while (left.length > 0) {
    // In rank order, the first that fits; by value, the one worth most per token among those that fit.
    let at = -1;
    let top = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < left.length; i++) {
      const g = left[i];
      const line = owes(g);
      if ((line ? g.withLine : g.cost) > room) continue;
      if (perToken <= 0) {
        at = i;
        break;
      }
      const worth = line ? g.worthWithLine : g.worth;
      if (worth > top) {
        top = worth;
        at = i;
      }
    }
    if (at < 0) break;
    const g = left[at];
    room -= owes(g) ? g.withLine : g.cost;
    left.splice(at, 1);
    kept.push(g.items);
    if (g.line) dated.add(g.line);
  }
  const ordered = () => kept.flat().sort((a, b) => (a.id < b.id ? -1 : 1));
  while (kept.length > 0 && bodyTokens(ordered(), dates, count) > budget) kept.pop();
  return ordered();
}

/** The section's body in order: a date line wherever the date changes, then each item. */
function* body(kept: readonly RecallItem[], dates: boolean): Generator<{ dateLine: string } | { item: RecallItem }> {
  let current: string | null = null;
  for (const it of kept) {
    const date = it.turn.date;
    if (dates && date && date !== current) {
      current = date;
      const line = dateLine(it.turn, dates);
      if (line) yield { dateLine: line };
    }
    yield { item: it };
  }
}

/** What the items and their date lines cost in the section (without its title). */
function bodyTokens(kept: readonly RecallItem[], dates: boolean, count: Count): number {
  let tokens = 0;
  for (const part of body(kept, dates)) tokens += "item" in part ? part.item.tokens + ITEM_OVERHEAD : count(part.dateLine) + 1;
  return tokens;
}

/** The section's text and tokens: the title, then the items in order with a date line wherever the date changes. */
export function recallText(title: string, kept: readonly RecallItem[], dates: boolean, count: Count): { text: string; tokens: number } {
  const lines = [title];
  for (const part of body(kept, dates)) lines.push("item" in part ? `- ${part.item.text}` : part.dateLine);
  return { text: lines.join("\n"), tokens: count(title) + bodyTokens(kept, dates, count) };
}

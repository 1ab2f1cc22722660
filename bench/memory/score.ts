/**
 * The measure, pure: a question counts when every evidence line's whole
 * text appears verbatim inside one message of the prompt; a snippet,
 * a truncated or a reworded line does not. Then the share of counted
 * questions, overall and per category.
 */
import type { Category } from "./locomo";

/** Whether every evidence text is a substring of some message's content. */
export function evidenceInPrompt(contents: readonly string[], evidence: readonly string[]): boolean {
  return evidence.length > 0 && evidence.every((line) => contents.some((c) => c.includes(line)));
}

/** How many evidence lines of a question reached the prompt (for diagnosis; the measure is all or nothing). */
export function evidenceFound(contents: readonly string[], evidence: readonly string[]): number {
  return evidence.filter((line) => contents.some((c) => c.includes(line))).length;
}

export interface Share {
  hits: number;
  n: number;
  /** hits / n; NaN when n is 0. */
  rate: number;
}

export interface Tally {
  overall: Share;
  byCategory: Record<Category, Share>;
}

const share = (hits: number, n: number): Share => ({ hits, n, rate: n > 0 ? hits / n : Number.NaN });

/** The counted share of `rows`, overall and per category. */
export function tally(rows: readonly { category: Category; hit: boolean }[]): Tally {
  const by = (c: Category) => rows.filter((r) => r.category === c);
  const count = (rs: readonly { hit: boolean }[]) => share(rs.filter((r) => r.hit).length, rs.length);
  return { overall: count(rows), byCategory: { 1: count(by(1)), 2: count(by(2)), 3: count(by(3)), 4: count(by(4)) } };
}

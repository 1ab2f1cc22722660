/**
 * When a recalled turn was said. A conversation may carry its own dates
 * (a roleplay's "[Day 3, evening]", an imported chat's "[8 May 2023] …"): a
 * message that opens with a bracketed marker holding a digit sets the date
 * for it and every turn after it, until the next marker. Without markers,
 * the day the turn was stored. Pure.
 */

const MARKER = /^\s*\[([^\]\n]{1,60})\]/;

/** The date marker a message opens with, if any: "[1:56 pm on 8 May, 2023] Hi" → "1:56 pm on 8 May, 2023". */
export function dateMarker(content: string): string | null {
  const m = MARKER.exec(content);
  return m && /\d/.test(m[1]) ? m[1].trim() : null;
}

/** The day a message was stored, as YYYY-MM-DD (UTC). */
export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/**
 * Whether two turns belong to different sessions: dated by different
 * markers of the conversation's own (null: an earlier one, unknown). Days
 * of storage say nothing here: a reply written after midnight still
 * answers the question before it.
 */
export function otherSession(a: string | null, b: string | null): boolean {
  return a !== b && !(a !== null && b !== null && STORED_DAY.test(a) && STORED_DAY.test(b));
}
const STORED_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What goes in front of a recalled turn: its date, unless the turn itself opens with it. */
export function datePrefix(content: string, date: string | null): string {
  return date && dateMarker(content) === null ? `[${date}] ` : "";
}

/**
 * The dates of a turn's neighbours on one side (nearest first), as the
 * session object's index gives them: the marker in force where each was
 * said, else the day it was stored. Walking back, the turn's own marker (or
 * a neighbour's) opens its session, so every turn further back is of an
 * earlier date, unknown here (null: not the turn's). Walking on, a marker
 * sets the date from there. Pure.
 */
export function nearDates(
  content: string,
  marker: string | null,
  sign: -1 | 1,
  near: readonly { content: string; at: number }[],
): (string | null)[] {
  if (sign === 1) {
    let current = marker;
    return near.map((n) => {
      current = dateMarker(n.content) ?? current;
      return current ?? dayOf(n.at);
    });
  }
  let crossed = dateMarker(content) !== null;
  return near.map((n) => {
    const date = marker === null ? dayOf(n.at) : crossed ? null : marker;
    crossed ||= dateMarker(n.content) !== null;
    return date;
  });
}

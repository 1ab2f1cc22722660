/**
 * How much of the prompt recall may take. Its base share, plus what the
 * memories and the summary left unused, growing towards its ceiling as
 * more of the past falls out of the window (a conversation a little longer
 * than the window needs little recall; one a hundred windows long needs a
 * lot), and never so much that the recent turns keep less than their floor.
 * Pure.
 */

export interface RecallShares {
  /** The share recall always has when the past does not fit. */
  recall: number;
  /** The share it grows to once a whole prompt's worth of the past is out of the window. */
  recallMax: number;
  /** The share the recent turns keep whatever recall takes. */
  recentMin: number;
}

export interface RecallRoom {
  /** The prompt budget (context window − the reply's reserve). */
  budget: number;
  /** What the sheet, the new message, memories and summary leave for recall and recent turns. */
  left: number;
  /** Tokens the memories' and summary's shares did not use. */
  unused: number;
  /** Tokens of history that do not fit the window (Infinity: older turns exist only in storage). */
  outside: number;
  /** Whether budget flows at all (off: the base share only). */
  flow: boolean;
}

export function recallBudget(shares: RecallShares, r: RecallRoom): number {
  const base = Math.floor(r.budget * shares.recall);
  if (!r.flow) return Math.max(0, Math.min(base, r.left));
  const growth = Math.min(1, r.outside / Math.max(1, r.budget));
  const ceiling = Math.max(shares.recall, shares.recallMax);
  const grown = Math.floor(r.budget * (shares.recall + (ceiling - shares.recall) * growth)) + r.unused;
  const cap = r.left - Math.floor(r.budget * shares.recentMin);
  return Math.max(0, Math.min(grown, cap, r.left));
}

/**
 * The two baselines of the measure, on the service's prompt budget
 * (2,048-token window − 256 for the reply = 1,792) with approximate
 * tokens: ceil(characters / 4) + 4 per message. The new message (the
 * question) is paid for first; no system message. Pure.
 *
 * - recent window: the newest history messages that fit, newest first,
 *   stopping at the first that does not (the seed's approach);
 * - plain RAG: half of what is left for the newest messages (the same
 *   rule), the other half for the older messages BM25 ranks highest for the
 *   question, taken best first while they fit (one that does not fit is
 *   passed over); messages with no matching word are never taken.
 */
import type { Bm25 } from "./bm25";

export const PROMPT_BUDGET = 2048 - 256;

export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

/** How many of the newest messages fit in `budget` (contiguous from the end). */
function newestThatFit(history: readonly string[], budget: number): number {
  let used = 0;
  let k = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const cost = approxTokens(history[i]);
    if (used + cost > budget) break;
    used += cost;
    k++;
  }
  return k;
}

/** The prompt's message contents: the newest history that fits, then the question. */
export function recentWindow(history: readonly string[], question: string, budget = PROMPT_BUDGET): string[] {
  const room = budget - approxTokens(question);
  const k = newestThatFit(history, room);
  return [...history.slice(history.length - k), question];
}

/** The prompt's message contents: BM25's picks among older messages (in history order), the newest half, then the question. */
export function plainRag(history: readonly string[], question: string, index: Bm25, budget = PROMPT_BUDGET): string[] {
  const room = budget - approxTokens(question);
  const recentRoom = Math.floor(room / 2);
  const k = newestThatFit(history, recentRoom);
  const older = history.length - k;
  const scores = index.scores(question);
  const ranked = [...Array(older).keys()].filter((i) => scores[i] > 0).sort((a, b) => scores[b] - scores[a] || b - a);
  let left = room - recentRoom;
  const picked: number[] = [];
  for (const i of ranked) {
    const cost = approxTokens(history[i]);
    if (cost <= left) {
      picked.push(i);
      left -= cost;
    }
  }
  picked.sort((a, b) => a - b);
  return [...picked.map((i) => history[i]), ...history.slice(older), question];
}

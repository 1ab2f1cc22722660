/**
 * The running summary: folds turns that no longer fit the prompt into a
 * summary written by the LLM, off the hot path. A failure leaves the
 * previous summary in place.
 */
import { countTokens } from "../context/tokens";
import { streamCompletion } from "../llm/client";
import type { LlmConfig } from "../llm/types";
import type { PromptLedger } from "../shared/wire";
import type { Memories, Summary } from "./memories";
import type { StoredMessage } from "./types";

export const SUMMARY_SYSTEM = "You maintain a running summary of a role-play conversation between a user and a character.";

/** The turns to fold next: dropped from the prompt, newer than the last summary, oldest first, within `maxTokens`. */
export function turnsToFold(
  window: StoredMessage[],
  droppedIds: Set<string>,
  previous: Summary | null,
  maxTokens: number,
): StoredMessage[] {
  const out: StoredMessage[] = [];
  let used = 0;
  for (const m of window) {
    if (!droppedIds.has(m.id) || (previous && m.id <= previous.uptoId)) continue;
    if (used + m.tokens > maxTokens) break;
    out.push(m);
    used += m.tokens;
  }
  return out;
}

/** Asks the LLM for the new summary; null when it fails (the previous one stays). */
export async function summarise(
  cfg: LlmConfig,
  previous: Summary | null,
  turns: StoredMessage[],
  names: { user: string; character: string },
  maxTokens: number,
): Promise<Omit<Summary, "version"> | null> {
  if (turns.length === 0) return null;
  const lines = turns.map((m) => `${m.role === "user" ? names.user : names.character}: ${m.content}`).join("\n");
  const prompt =
    `${previous ? `Summary so far:\n${previous.content}\n\n` : ""}Turns to fold in:\n${lines}\n\n` +
    `Write the updated summary in at most ${Math.floor(maxTokens * 0.7)} words. Keep names, facts, promises and open threads.`;
  let text = "";
  try {
    for await (const ev of streamCompletion(cfg, {
      messages: [
        { role: "system", content: SUMMARY_SYSTEM },
        { role: "user", content: prompt },
      ],
      maxTokens,
      characterId: "summary",
    })) {
      if (ev.type === "token") text += ev.text;
      else if (ev.finishReason !== "stop" && ev.finishReason !== "length") return null;
    }
  } catch {
    return null;
  }
  text = text.trim();
  if (!text) return null;
  return { content: text, tokens: countTokens(text), uptoId: turns[turns.length - 1].id, createdAt: Date.now() };
}

export interface SummaryRequest {
  chat: string;
  cfg: LlmConfig;
  window: StoredMessage[];
  ledger: PromptLedger;
  promptBudget: number;
  /** Tokens of dropped turns that start a new summary. */
  trigger: number;
  /** The summary's share of the prompt budget. */
  share: number;
  names: { user: string; character: string };
}

/** Folds dropped turns into the running summary once they pass the trigger; after a reply, one at a time. */
export function createSummarizer(memories: Memories, waitUntil: (p: Promise<unknown>) => void) {
  const running = new Set<string>();
  return {
    afterReply(r: SummaryRequest): void {
      const previous = memories.summary(r.chat);
      const dropped = new Set(r.ledger.excluded.filter((e) => e.reason === "over_budget").map((e) => e.id));
      const pending = turnsToFold(r.window, dropped, previous, r.promptBudget);
      if (running.has(r.chat) || pending.reduce((n, m) => n + m.tokens, 0) < r.trigger) return;
      running.add(r.chat);
      const maxTokens = Math.max(32, Math.floor(r.promptBudget * r.share));
      waitUntil(
        summarise(r.cfg, previous, pending, r.names, maxTokens)
          .then((next) => {
            if (next) memories.addSummary(r.chat, next);
          })
          .finally(() => {
            running.delete(r.chat);
          }),
      );
    },
  };
}

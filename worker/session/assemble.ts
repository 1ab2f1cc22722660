/**
 * One turn's prompt with long memory: the character sheet, pinned
 * memories, the running summary, recalled older turns and the recent turns,
 * each within its share of the budget.
 */
import type { BuiltPrompt } from "../context/prompt";
import { listSection, type Shares, textSection } from "../context/shares";
import type { CharacterSnapshot } from "../context/system-prompt";
import { errorKind, logEvent } from "../log";
import { recallTerms } from "../recall/terms";
import type { Summary } from "./memories";
import { messageLimit, promptFor, sheetTokens } from "./prompt-for";
import type { StoredMemory, StoredMessage } from "./types";
import { type Hot, inPrompt } from "./window";

export interface MemoryParts {
  memories: StoredMemory[];
  summary: Summary | null;
  shares: Shares;
  recallLimit: number;
}

/** Finds older turns by words: the object's own index, or PostgreSQL while that is being filled. */
export type Recall = (terms: string[], beforeId: string, limit: number) => Promise<StoredMessage[]>;

/** Builds the prompt; looks for older turns only when some exist outside the prompt. */
export async function assemblePrompt(
  hot: Hot,
  character: CharacterSnapshot,
  userMessage: StoredMessage,
  budget: number,
  parts: MemoryParts,
  recall: Recall,
): Promise<BuiltPrompt> {
  // Memories, summary and recall share what the sheet and the new message leave.
  let room = messageLimit(budget, sheetTokens(hot, character, budget)) - userMessage.tokens;
  const share = (fraction: number) => Math.max(0, Math.min(Math.floor(budget * fraction), room));
  const memories = listSection(
    "memories",
    "## Things you must remember in this conversation",
    parts.memories.map((m) => ({ id: m.id, text: m.content, tokens: m.tokens })),
    share(parts.shares.memories),
  );
  room -= memories.tokens + 2;
  const summary = parts.summary
    ? textSection(
        "summary",
        "## Summary of the earlier conversation",
        { id: `summary:v${parts.summary.version}`, text: parts.summary.content, tokens: parts.summary.tokens },
        share(parts.shares.summary),
      )
    : null;
  room -= summary ? summary.tokens + 2 : 0;
  const sections = summary ? [memories, summary] : [memories];
  const first = promptFor(hot, character, userMessage, budget, sections);
  const dropped = first.ledger.excluded.some((e) => e.reason === "over_budget");
  if (parts.recallLimit === 0 || !(dropped || hot.cold === "some")) return first;
  const oldestRecent = first.ledger.included.find((i) => i.source === "recent")?.id ?? userMessage.id;
  const terms = recallTerms(userMessage.content, (w) => inPrompt(hot, w, oldestRecent, userMessage.id));
  if (terms.length === 0) return first;

  const found = await recall(terms, oldestRecent, parts.recallLimit).catch((err: unknown) => {
    logEvent("warn", "recall_failed", { error: errorKind(err) });
    return [];
  });
  if (found.length === 0) return first;
  const who = (m: StoredMessage) => (m.role === "user" ? hot.profile.displayName || "User" : character.name);
  found.sort((a, b) => (a.id < b.id ? -1 : 1));
  const recalled = listSection(
    "recall",
    "## Earlier moments that may matter now",
    found.map((m) => ({ id: m.id, text: `${who(m)}: ${m.content}`, tokens: m.tokens + 4 })),
    share(parts.shares.recall),
  );
  return promptFor(hot, character, userMessage, budget, [...sections, recalled]);
}

/**
 * One turn's prompt with long memory: the character sheet, pinned
 * memories, the running summary, recalled older turns and the recent turns,
 * each within its share of the budget. Recall's share flows: what memories
 * and summary leave unused goes to it, and it grows as more of the past
 * falls out of the window (`worker/recall/budget.ts`).
 */
import type { BuiltPrompt, PromptSection } from "../context/prompt";
import { listSection, type Shares, textSection } from "../context/shares";
import type { CharacterSnapshot } from "../context/system-prompt";
import { countTokens } from "../context/tokens";
import { errorKind, logEvent } from "../log";
import { recallBudget } from "../recall/budget";
import { type Count, fitGroups, itemOf, type RecallItem, recallText } from "../recall/select";
import type { RecallSettings } from "../recall/settings";
import type { RecalledTurn, Retriever } from "../recall/types";
import type { Summary } from "./memories";
import { messageLimit, promptFor, sheetTokens } from "./prompt-for";
import type { StoredMemory, StoredMessage } from "./types";
import { type Hot, inPrompt } from "./window";

export interface MemoryParts {
  memories: StoredMemory[];
  summary: Summary | null;
  shares: Shares;
  /** Older turns recall may bring back (0: recall off). */
  recallLimit: number;
  recall: RecallSettings;
}

const RECALL_TITLE = "## Earlier moments that may matter now";
/** Turns before the new message the query draws on (the retriever weighs them down). */
const CONTEXT_TURNS = 4;

/** Builds the prompt; looks for older turns only when some exist outside the prompt. */
export async function assemblePrompt(
  hot: Hot,
  character: CharacterSnapshot,
  userMessage: StoredMessage,
  budget: number,
  parts: MemoryParts,
  retriever: Retriever,
): Promise<BuiltPrompt> {
  // Memories, summary and recall share what the sheet and the new message leave.
  let room = messageLimit(budget, sheetTokens(hot, character, budget)) - userMessage.tokens;
  const share = (fraction: number) => Math.max(0, Math.min(Math.floor(budget * fraction), room));
  const memoryShare = share(parts.shares.memories);
  const memories = listSection(
    "memories",
    "## Things you must remember in this conversation",
    parts.memories.map((m) => ({ id: m.id, text: m.content, tokens: m.tokens })),
    memoryShare,
  );
  room -= memories.tokens + 2;
  const summaryShare = share(parts.shares.summary);
  const summary = parts.summary
    ? textSection(
        "summary",
        "## Summary of the earlier conversation",
        { id: `summary:v${parts.summary.version}`, text: parts.summary.content, tokens: parts.summary.tokens },
        summaryShare,
      )
    : null;
  room -= summary ? summary.tokens + 2 : 0;
  const sections = summary ? [memories, summary] : [memories];
  // The prompt without recall: what recall falls back to, built only when needed.
  let plain: BuiltPrompt | null = null;
  const first = () => (plain ??= promptFor(hot, character, userMessage, budget, sections));
  // PostgreSQL holding turns the window does not: recall looks there even when the window fits.
  const pgBeyond = hot.cold === "some" && hot.beyond;
  if (parts.recallLimit === 0) return first();
  const dropped = pgBeyond ? [] : first().ledger.excluded.filter((e) => e.reason === "over_budget");
  if (!pgBeyond && dropped.length === 0) return first();

  const recallShare = recallBudget(parts.shares, {
    budget,
    left: room,
    unused: memoryShare - memories.tokens + (summaryShare - (summary?.tokens ?? 0)),
    outside: pgBeyond ? Number.POSITIVE_INFINITY : dropped.reduce((n, e) => n + e.tokens, 0),
    flow: parts.recall.flow,
  });
  // Recall looks only behind the window it leaves: the turns that still fit beside a full recall share.
  const reserved: PromptSection = { name: "recall", text: " ", tokens: recallShare };
  const narrow = recallShare > 0 ? promptFor(hot, character, userMessage, budget, [...sections, reserved]) : first();
  const before = narrow.ledger.included.find((i) => i.source === "recent")?.id ?? userMessage.id;
  const at = hot.window.findLastIndex((m) => m.id === userMessage.id);
  const context = (at >= 0 ? hot.window.slice(0, at) : hot.window).slice(-CONTEXT_TURNS).reverse();
  const found = await retriever
    .recall({
      message: { id: userMessage.id, role: "user", content: userMessage.content },
      context: context.map((m) => ({ id: m.id, role: m.role, content: m.content })),
      before,
      topical: (stem) => inPrompt(hot, stem, before, userMessage.id),
      limit: parts.recallLimit,
      names: { user: hot.profile.displayName, character: character.name },
    })
    .catch((err: unknown) => {
      logEvent("warn", "recall_failed", { error: errorKind(err) });
      return [] as RecalledTurn[];
    });
  if (found.length === 0) return first();

  const counted = new Map<string, number>();
  const count = (text: string) => counted.get(text) ?? counted.set(text, countTokens(text)).get(text)!;
  const name = (role: RecalledTurn["role"]) => (role === "user" ? hot.profile.displayName || "User" : character.name);
  const items = found.map((t) => itemOf(t, name(t.role), count));
  const { dates } = parts.recall;
  // Whatever the window ends up holding is not repeated in the recall section.
  const skip = new Set<string>();
  let prompt: BuiltPrompt | null = null;
  for (let round = 0; round < 3; round++) {
    const kept = fitGroups(items, recallShare - count(RECALL_TITLE), count, {
      dates,
      skip,
      dateOnce: parts.recall.dateOnce,
      perToken: parts.recall.perToken,
    });
    if (kept.length === 0) return first();
    prompt = promptFor(hot, character, userMessage, budget, [...sections, recallSection(kept, recallShare, dates, count)]);
    if (!parts.recall.dedupe) break;
    const inWindow = new Set(prompt.ledger.included.filter((i) => i.source === "recent").map((i) => i.id));
    const repeated = kept.filter((k) => inWindow.has(k.id));
    if (repeated.length === 0) break;
    for (const k of repeated) skip.add(k.id);
  }
  return prompt ?? first();
}

/** The recall section, each item recording in the ledger why it came back. */
function recallSection(kept: RecallItem[], share: number, dates: boolean, count: Count): PromptSection {
  const { text, tokens } = recallText(RECALL_TITLE, kept, dates, count);
  const items = kept.map(({ id, turn: t }) => ({
    id,
    tokens: t.tokens,
    recall: { matched: t.matched, score: Math.round(t.score * 100) / 100, via: t.via, hop: t.hop, date: t.date },
  }));
  return { name: "recall", text, tokens, budget: share, items };
}

/**
 * Prompt assembly within a token budget. Pure: it only adds up the token
 * counts stored with each message and never reads storage.
 */

import { messageTokens as cost, REPLY_PRIMING } from "../shared/tokens";
import type { PromptLedger, RecallWhy, Role } from "../shared/wire";

export interface CountedMessage {
  id: string;
  role: Role;
  content: string;
  tokens: number;
}

export interface PromptSection {
  /** Ledger name of the share: "system", "memories", "summary", "recall". */
  name: string;
  text: string;
  tokens: number;
  /** The share of the budget it was given (defaults to what it used). */
  budget?: number;
  /** What the section holds, for the ledger (a recalled turn also says why it came back). */
  items?: { id: string; tokens: number; recall?: RecallWhy }[];
  /** What did not fit in its share. */
  excluded?: { id: string; tokens: number }[];
}

export interface PromptInput {
  /** Parts of the system message in order; already within their shares. */
  system: PromptSection[];
  /** The active history, oldest first (not including the new message). */
  history: CountedMessage[];
  newMessage: CountedMessage;
  /** A system message after the new one (the card's post-history instructions), counted in the budget. */
  after?: PromptSection | null;
  /** Context window minus the reply's reserve. */
  budget: number;
}

export interface BuiltPrompt {
  messages: { role: "system" | Role; content: string }[];
  ledger: PromptLedger;
  tokens: number;
}

/** System message, then as many recent turns as fit (newest kept first), then the new message. */
export function buildPrompt(input: PromptInput): BuiltPrompt {
  const sections = input.system.filter((s) => s.text.length > 0);
  const systemText = sections.map((s) => s.text).join("\n\n");
  const systemTokens = sections.reduce((n, s) => n + s.tokens, 0) + 2 * Math.max(0, sections.length - 1);
  const after = input.after?.text ? input.after : null;
  let used = REPLY_PRIMING + cost(systemTokens) + cost(input.newMessage.tokens) + (after ? cost(after.tokens) : 0);
  const shares: PromptLedger["shares"] = {};
  for (const s of input.system) shares[s.name] = { budget: s.budget ?? s.tokens, used: s.tokens };

  const kept: CountedMessage[] = [];
  const excluded: PromptLedger["excluded"] = input.system.flatMap((s) =>
    (s.excluded ?? []).map((e) => ({ ...e, reason: `${s.name}_share_full` })),
  );
  let full = used > input.budget;
  for (let i = input.history.length - 1; i >= 0; i--) {
    const m = input.history[i];
    if (!full && used + cost(m.tokens) <= input.budget) {
      used += cost(m.tokens);
      kept.push(m);
    } else {
      full = true;
      excluded.push({ id: m.id, tokens: m.tokens, reason: "over_budget" });
    }
  }
  kept.reverse();
  shares.recent = {
    budget: Math.max(0, input.budget - (used - kept.reduce((n, m) => n + cost(m.tokens), 0))),
    used: kept.reduce((n, m) => n + cost(m.tokens), 0),
  };

  const messages: BuiltPrompt["messages"] = [];
  if (systemText) messages.push({ role: "system", content: systemText });
  for (const m of kept) messages.push({ role: m.role, content: m.content });
  messages.push({ role: "user", content: input.newMessage.content });
  if (after) messages.push({ role: "system", content: after.text });

  const included: PromptLedger["included"] = [
    ...sections.flatMap((s) =>
      (s.items ?? [{ id: s.name, tokens: s.tokens }]).map((i) => ({ ...i, role: "system" as const, source: s.name })),
    ),
    ...kept.map((m) => ({ id: m.id, role: m.role, tokens: m.tokens, source: "recent" })),
    { id: input.newMessage.id, role: "user" as const, tokens: input.newMessage.tokens, source: "new" },
    ...(after ? [{ id: after.name, role: "system" as const, tokens: after.tokens, source: after.name }] : []),
  ];
  return { messages, tokens: used, ledger: { budget: input.budget, used, shares, included, excluded } };
}

/**
 * The prompt ledger in words: each entry of what went into a reply's prompt
 * (or was left out) as the human thing it is (the character sheet, a pinned
 * memory and its text, a message and who said it, a lorebook entry), never a
 * raw id. Pure.
 */
import type { Memory, Message } from "../../../worker/shared/wire";
import { snippet } from "./format";

export interface LedgerContext {
  messages: readonly Message[];
  memories: readonly Memory[];
  charName: string;
}

export interface LedgerLine {
  /** What kind of thing this is. */
  kind: string;
  /** The thing itself, in a few words. */
  text: string;
}

const KINDS: Record<string, string> = {
  system: "Character sheet",
  main: "Character sheet",
  description: "Character sheet",
  personality: "Character sheet",
  scenario: "Character sheet",
  persona: "Your persona",
  post_history: "Card instructions",
  memories: "Pinned memory",
  summary: "Summary",
  recall: "Recalled from earlier",
  recent: "Recent message",
  new: "Your new message",
  lore_before: "Lorebook",
  lore_after: "Lorebook",
  examples: "Example dialogue",
};

/** The kind of a ledger source, for a heading or a badge. */
export function sourceName(source: string): string {
  return KINDS[source] ?? source.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

function messageLine(id: string, kind: string, ctx: LedgerContext): LedgerLine {
  const m = ctx.messages.find((x) => x.id === id);
  if (!m) return { kind, text: "An older message (not loaded on this page)" };
  return { kind, text: `${m.role === "user" ? "You" : ctx.charName}: ${snippet(m.content, 70)}` };
}

/** One included entry of the ledger as a line a person can read. */
export function describeEntry(entry: { id: string; source: string }, ctx: LedgerContext): LedgerLine {
  const kind = sourceName(entry.source);
  switch (entry.source) {
    case "system":
      return { kind, text: `${ctx.charName}'s description, scenario and your persona` };
    case "main":
      return { kind, text: `How ${ctx.charName} is asked to play the conversation` };
    case "description":
      return { kind, text: `${ctx.charName}'s description` };
    case "personality":
      return { kind, text: `${ctx.charName}'s personality` };
    case "scenario":
      return { kind, text: "The scenario" };
    case "persona":
      return { kind, text: "Who you are in this conversation" };
    case "post_history":
      return { kind, text: "The character card's instructions, after the conversation" };
    case "memories": {
      const memory = ctx.memories.find((m) => m.id === entry.id);
      return { kind, text: memory ? snippet(memory.content, 80) : "A memory since deleted" };
    }
    case "summary": {
      const version = /^summary:v(\d+)$/.exec(entry.id)?.[1];
      return { kind, text: version ? `What happened earlier, in brief (version ${version})` : "What happened earlier, in brief" };
    }
    case "examples": {
      const n = /^example:(\d+)$/.exec(entry.id)?.[1];
      return { kind, text: n ? `Example ${n} from the character card` : "From the character card" };
    }
    case "lore_before":
    case "lore_after":
      return { kind, text: "An entry of the character's lorebook that the conversation mentioned" };
    default:
      return messageLine(entry.id, kind, ctx);
  }
}

/** An excluded entry: what was left out and why, in words. */
export function describeExcluded(entry: { id: string; reason: string }, ctx: LedgerContext): LedgerLine {
  const share = /^(.+)_share_full$/.exec(entry.reason)?.[1];
  const why =
    entry.reason === "over_budget" ? "did not fit" : share ? `the ${sourceName(share).toLowerCase()} share was full` : entry.reason;
  const line = entry.id.startsWith("lore:")
    ? describeEntry({ id: entry.id, source: "lore_before" }, ctx)
    : entry.id.startsWith("example:")
      ? describeEntry({ id: entry.id, source: "examples" }, ctx)
      : messageLine(entry.id, "Message", ctx);
  return { kind: why, text: line.text };
}

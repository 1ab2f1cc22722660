/**
 * Example dialogues (`mes_example`): split on `<START>` into exchanges, as
 * SillyTavern does, each rendered as an `[Example Chat]` block with the
 * macros filled in. Exchanges are kept or dropped whole. Pure.
 */
import { countTokens } from "../context/tokens";
import { applyMacros, type MacroNames } from "./macros";

export interface ExampleTurn {
  /** Who speaks: a `{{user}}:` line, a `{{char}}:` line, or text before either. */
  speaker: "user" | "char" | "narration";
  text: string;
}

export interface ExampleExchange {
  /** `example:1`, `example:2`, … in the card's order (for the prompt ledger). */
  id: string;
  /** The block as it goes into the prompt. */
  text: string;
  tokens: number;
  turns: ExampleTurn[];
}

/** The heading SillyTavern puts before each example exchange. */
export const EXAMPLE_HEADING = "[Example Chat]";

/** The exchanges of `mesExample`, macros filled in; empty blocks are skipped. */
export function parseExamples(mesExample: string, names: MacroNames): ExampleExchange[] {
  const blocks = applyMacros(mesExample.replace(/\r\n?/g, "\n"), names)
    .split(/<START>/i)
    .map((b) => b.trim())
    .filter(Boolean);
  return blocks.map((block, i) => {
    const text = `${EXAMPLE_HEADING}\n${block}`;
    return { id: `example:${i + 1}`, text, tokens: countTokens(text), turns: turnsOf(block, names) };
  });
}

function turnsOf(block: string, names: MacroNames): ExampleTurn[] {
  const turns: ExampleTurn[] = [];
  const userPrefix = `${names.user}:`;
  const charPrefix = `${names.char}:`;
  for (const line of block.split("\n")) {
    const speaker = line.startsWith(userPrefix) ? "user" : line.startsWith(charPrefix) ? "char" : null;
    if (speaker) {
      turns.push({ speaker, text: line.slice((speaker === "user" ? userPrefix : charPrefix).length).trim() });
    } else if (turns.length > 0) {
      const last = turns[turns.length - 1];
      last.text = last.text ? `${last.text}\n${line}` : line;
    } else {
      turns.push({ speaker: "narration", text: line });
    }
  }
  for (const t of turns) t.text = t.text.trim();
  return turns.filter((t) => t.text);
}

/** The first exchanges that fit in `max` tokens, in order; the rest are dropped whole (a later one never jumps an earlier one). */
export function fitExamples(exchanges: ExampleExchange[], max: number): { kept: ExampleExchange[]; dropped: ExampleExchange[] } {
  let used = 0;
  let at = 0;
  for (; at < exchanges.length; at++) {
    const cost = exchanges[at].tokens + 1;
    if (used + cost > max) break;
    used += cost;
  }
  return { kept: exchanges.slice(0, at), dropped: exchanges.slice(at) };
}

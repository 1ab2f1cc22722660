/**
 * The character's parts of a prompt, in SillyTavern's default Chat
 * Completion order: main prompt (the card's `system_prompt`, `{{original}}`
 * keeping ours), World Info before, the user's persona, description,
 * personality, scenario, World Info after, example dialogues; then, after the
 * history and the new message, the card's `post_history_instructions`.
 * Macros are filled in everything. Pure.
 *
 * `prepareCharacter` does the per-(character, user) work once (macros,
 * token counts, compiled lorebook keys); `characterPromptParts` is the
 * per-turn part (lorebook scan, budget shares).
 */
import type { CharacterDefinition } from "../characters/definition";
import { type ExampleExchange, fitExamples, parseExamples } from "../characters/examples";
import { type FiredEntry, type PreparedLorebook, prepareLorebook, scanLorebook } from "../characters/lorebook-scan";
import { applyMacros, type MacroNames, macroNames, replaceOriginal } from "../characters/macros";
import type { PromptSection } from "./prompt";
import { countTokens } from "./tokens";

/** Our main prompt; a card's `system_prompt` replaces it. */
export const DEFAULT_MAIN_PROMPT =
  "You are {{char}}, talking with {{user}}. Stay in character and reply as {{char}} would, in the first person.";
/** Our post-history instructions: none (a card's `{{original}}` there stands for nothing). */
export const DEFAULT_POST_HISTORY = "";

/** Shares of the prompt budget: example dialogues, and the lorebook (which a book's `token_budget` may lower further). */
export interface CardShares {
  examples: number;
  lore: number;
}
export const DEFAULT_CARD_SHARES: CardShares = { examples: 0.1, lore: 0.15 };

interface Part {
  name: string;
  text: string;
  tokens: number;
}

export interface PreparedCharacter {
  names: MacroNames;
  /** main, persona, description, personality, scenario: always sent. */
  fixed: Record<"main" | "persona" | "description" | "personality" | "scenario", Part>;
  postHistory: Part;
  examples: ExampleExchange[];
  lore: PreparedLorebook | null;
}

function part(name: string, text: string): Part {
  const t = text.trim();
  return { name, text: t, tokens: t ? countTokens(t) : 0 };
}

/** The per-(character, user) work: macros filled, tokens counted, lorebook keys compiled. Cache it with the character snapshot. */
export function prepareCharacter(def: CharacterDefinition, user: { name: string; persona: string }): PreparedCharacter {
  const names = macroNames(def.name, user.name);
  const m = (text: string) => applyMacros(text, names);
  const personality = def.personality.trim();
  const scenario = def.scenario.trim();
  return {
    names,
    fixed: {
      main: part("main", m(replaceOriginal(def.systemPrompt, DEFAULT_MAIN_PROMPT))),
      persona: part("persona", m(user.persona)),
      description: part("description", m(def.description)),
      personality: part("personality", personality ? m(`[{{char}}'s personality: ${personality}]`) : ""),
      scenario: part("scenario", scenario ? m(`[Circumstances and context of the dialogue: ${scenario}]`) : ""),
    },
    postHistory: part("post_history", m(replaceOriginal(def.postHistoryInstructions, DEFAULT_POST_HISTORY))),
    examples: parseExamples(def.exampleDialogues, names),
    lore: def.book ? prepareLorebook(def.book, names) : null,
  };
}

export interface TurnInput {
  /** The recent turns as stored, oldest first, without the new message. */
  history: { role: "user" | "assistant"; content: string }[];
  newMessage: string;
  /** The prompt budget: context window minus the reply's reserve. */
  budget: number;
  /** Tokens to leave for everything else (at least the new message; memories, summary, recall, a few recent turns). */
  reserve: number;
  shares?: CardShares;
}

export interface CharacterPromptParts {
  /** System-message sections before the history, in order (empty ones included, with no text). */
  system: PromptSection[];
  /** A system message after the new user message, or null. */
  postHistory: PromptSection | null;
  /** Lorebook entries that fired this turn, in prompt order, each with the word that triggered it. */
  lore: FiredEntry[];
}

const section = (p: Part): PromptSection => ({ name: p.name, text: p.text, tokens: p.tokens });

/** The character's sections for one turn. */
export function characterPromptParts(p: PreparedCharacter, turn: TurnInput): CharacterPromptParts {
  const shares = turn.shares ?? DEFAULT_CARD_SHARES;
  const fixed = Object.values(p.fixed);
  const fixedTokens = [...fixed, p.postHistory].reduce((n, s) => n + (s.tokens ? s.tokens + 2 : 0), 0);
  let free = Math.max(0, turn.budget - turn.reserve - fixedTokens);

  let before: PromptSection = { name: "lore_before", text: "", tokens: 0 };
  let after: PromptSection = { name: "lore_after", text: "", tokens: 0 };
  let fired: FiredEntry[] = [];
  if (p.lore) {
    const max = Math.min(p.lore.book.tokenBudget ?? Number.POSITIVE_INFINITY, Math.floor(turn.budget * shares.lore), free);
    const recent = [...turn.history.slice(-50), { role: "user" as const, content: turn.newMessage }].map((m) => ({
      name: m.role === "user" ? p.names.user : p.names.char,
      text: applyMacros(m.content, p.names),
    }));
    const scan = scanLorebook(p.lore, recent, max);
    fired = scan.fired;
    const items = (pos: string) => fired.filter((f) => f.position === pos).map((f) => ({ id: `lore:${f.id}`, tokens: f.tokens }));
    const excluded = scan.dropped.map((d) => ({ id: `lore:${d.id}`, tokens: d.tokens }));
    before = {
      name: "lore_before",
      text: scan.before,
      tokens: scan.before ? countTokens(scan.before) : 0,
      budget: max,
      items: items("before_char"),
    };
    after = {
      name: "lore_after",
      text: scan.after,
      tokens: scan.after ? countTokens(scan.after) : 0,
      budget: max,
      items: items("after_char"),
      excluded,
    };
    free = Math.max(0, free - before.tokens - after.tokens);
  }

  const examplesMax = Math.min(Math.floor(turn.budget * shares.examples), free);
  const { kept, dropped } = fitExamples(p.examples, examplesMax);
  const examplesText = kept.map((e) => e.text).join("\n");
  const examples: PromptSection = {
    name: "examples",
    text: examplesText,
    tokens: examplesText ? countTokens(examplesText) : 0,
    budget: examplesMax,
    items: kept.map((e) => ({ id: e.id, tokens: e.tokens })),
    excluded: dropped.map((e) => ({ id: e.id, tokens: e.tokens })),
  };

  const f = p.fixed;
  return {
    system: [
      section(f.main),
      before,
      section(f.persona),
      section(f.description),
      section(f.personality),
      section(f.scenario),
      after,
      examples,
    ],
    postHistory: p.postHistory.text ? section(p.postHistory) : null,
    lore: fired,
  };
}

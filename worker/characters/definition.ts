/**
 * What the prompt needs of a character: the card's fields, whether they live
 * in columns or in the kept card data. Built from a row, kept by the session
 * object with its character snapshot. Pure.
 */
import { readStored } from "./card-store";
import { type Lorebook, lorebookOf } from "./lorebook";
import { applyMacros, type MacroNames } from "./macros";

export interface CharacterDefinition {
  name: string;
  description: string;
  personality: string;
  scenario: string;
  greeting: string;
  alternateGreetings: string[];
  exampleDialogues: string;
  /** The card's `system_prompt`: replaces our main prompt (`{{original}}` keeps it). */
  systemPrompt: string;
  /** The card's `post_history_instructions`: a system message after the history. */
  postHistoryInstructions: string;
  book: Lorebook | null;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** The definition of a character from its columns and its kept card data. */
export function definitionOf(
  columns: { name: string; description: string; scenario: string; greeting: string; exampleDialogues: string },
  card: unknown,
): CharacterDefinition {
  const data = readStored(card).data;
  return {
    name: columns.name,
    description: columns.description,
    scenario: columns.scenario,
    greeting: columns.greeting,
    exampleDialogues: columns.exampleDialogues,
    personality: str(data.personality),
    systemPrompt: str(data.system_prompt),
    postHistoryInstructions: str(data.post_history_instructions),
    alternateGreetings: Array.isArray(data.alternate_greetings)
      ? data.alternate_greetings.filter((g): g is string => typeof g === "string")
      : [],
    book: lorebookOf(data.character_book),
  };
}

/**
 * The opening messages the user may swipe between: the greeting, then the
 * alternate greetings, macros filled in; empty ones left out.
 */
export function greetingsOf(def: CharacterDefinition, names: MacroNames): string[] {
  return [def.greeting, ...def.alternateGreetings].filter((g) => g.trim()).map((g) => applyMacros(g, names));
}

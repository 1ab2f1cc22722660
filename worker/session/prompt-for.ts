/**
 * A turn's prompt from the character card and the hot window: the card's
 * parts (main prompt, World Info, persona, description, personality,
 * scenario, example dialogues; post-history instructions after the new
 * message) prepared once per (character, user) and kept on the hot state.
 */
import { definitionOf, greetingsOf } from "../characters/definition";
import { characterPromptParts, type PreparedCharacter, prepareCharacter } from "../context/character-prompt";
import { type BuiltPrompt, buildPrompt, type PromptSection } from "../context/prompt";
import type { CharacterSnapshot } from "../context/system-prompt";
import { countTokens, MESSAGE_OVERHEAD, REPLY_PRIMING, truncateToTokens } from "../context/tokens";
import type { PromptLedger } from "../shared/wire";
import type { StoredMessage } from "./types";
import { type Hot, userIdentity } from "./window";

/** The sheet (what is always sent of the character) may take at most this share of the budget; a longer description is cut. */
const SHEET_SHARE = 0.75;

const fixedTokens = (p: PreparedCharacter) =>
  [...Object.values(p.fixed), p.postHistory].reduce((n, s) => n + (s.tokens ? s.tokens + 2 : 0), 0);

/** The character prepared for this conversation's user within `budget`, kept while none of them changes. */
export function preparedOf(hot: Hot, character: CharacterSnapshot, budget: number): PreparedCharacter {
  const user = userIdentity(hot);
  const key = [character.id, character.updatedAt, user.name, user.persona, budget].join("\u0000");
  if (hot.prepared?.key === key) return hot.prepared.value;
  const value = prepareCharacter(character.definition ?? definitionOf(character, {}), { name: user.name, persona: user.persona });
  const over = fixedTokens(value) - Math.floor(budget * SHEET_SHARE);
  if (over > 0) {
    const text = truncateToTokens(value.fixed.description.text, Math.max(0, value.fixed.description.tokens - over));
    value.fixed.description = { ...value.fixed.description, text, tokens: countTokens(text) };
  }
  hot.prepared = { key, value };
  return value;
}

/** The opening messages of a conversation: the greeting and the alternate greetings, macros filled for this user. */
export function greetingsFor(hot: Hot, character: CharacterSnapshot, budget: number): string[] {
  return greetingsOf(character.definition ?? definitionOf(character, {}), preparedOf(hot, character, budget).names);
}

/** Tokens of what is always sent of the character: main prompt, persona, description, personality, scenario, post-history instructions. */
export function sheetTokens(hot: Hot, character: CharacterSnapshot, budget: number): number {
  return fixedTokens(preparedOf(hot, character, budget));
}

/**
 * The longest message, in tokens, that fits the prompt budget together with
 * the whole character sheet (and the chat format's overhead); the other
 * parts of the prompt give way to it.
 */
export function messageLimit(promptBudget: number, sheet: number): number {
  return Math.max(0, promptBudget - sheet - REPLY_PRIMING - 2 * MESSAGE_OVERHEAD);
}

/** The prompt for `userMessage`, from the turns before it in the hot window; `extra` (memories, summary, recall) follow the card's parts. */
export function promptFor(
  hot: Hot,
  character: CharacterSnapshot,
  userMessage: StoredMessage,
  budget: number,
  extra: PromptSection[] = [],
): BuiltPrompt {
  // From the end: the new message is nearly always the last of up to 400.
  const at = hot.window.findLastIndex((m) => m.id === userMessage.id);
  const history = (at >= 0 ? hot.window.slice(0, at) : hot.window).filter((m) => m.content.length > 0);
  const prepared = preparedOf(hot, character, budget);
  // Examples and World Info take what the new message and the other sections leave.
  const reserve = userMessage.tokens + extra.reduce((n, s) => n + s.tokens + 2, 0) + REPLY_PRIMING + 2 * MESSAGE_OVERHEAD;
  const parts = characterPromptParts(prepared, { history, newMessage: userMessage.content, budget, reserve });
  const built = buildPrompt({
    system: [...parts.system, ...extra],
    history,
    newMessage: { id: userMessage.id, role: "user", content: userMessage.content, tokens: userMessage.tokens },
    after: parts.postHistory,
    budget,
  });
  if (parts.lore.length > 0) built.ledger.lore = parts.lore.map(loreLine);
  return built;
}

function loreLine(f: ReturnType<typeof characterPromptParts>["lore"][number]): NonNullable<PromptLedger["lore"]>[number] {
  const t = f.trigger;
  return t.kind === "key"
    ? { id: f.id, name: f.name, trigger: "key", key: t.key, ...(t.secondary ? { secondary: t.secondary } : {}) }
    : { id: f.id, name: f.name, trigger: "constant" };
}

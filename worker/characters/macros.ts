/**
 * Character Card macros, substituted on the server in every text that
 * reaches the model: `{{char}}`, `{{user}}` (any case), SillyTavern's
 * `{{charIfNotGroup}}`, and the legacy `<BOT>`, `<CHAR>`, `<USER>` of older
 * cards. Unknown macros are left as written. Pure.
 */

export interface MacroNames {
  /** The character's name. */
  char: string;
  /** The user's display name ("User" when they have none, as in SillyTavern). */
  user: string;
}

/** What `{{user}}` becomes for someone without a display name. */
export const DEFAULT_USER_NAME = "User";

const MACRO = /\{\{\s*(char|user|charifnotgroup)\s*\}\}|<(BOT|CHAR|USER)>/gi;

/** `text` with the name macros filled in; one pass, so a name that itself looks like a macro stays as it is. */
export function applyMacros(text: string, names: MacroNames): string {
  if (!text.includes("{{") && !text.includes("<")) return text;
  return text.replace(MACRO, (_m, curly: string | undefined, angle: string | undefined) => {
    const which = (curly ?? angle ?? "").toLowerCase();
    return which === "user" ? names.user : names.char;
  });
}

/**
 * A card's `system_prompt` or `post_history_instructions` in place of ours:
 * `{{original}}` inside it stands for what it replaces. Empty → ours.
 */
export function replaceOriginal(override: string, original: string): string {
  if (!override.trim()) return original;
  return override.replace(/\{\{\s*original\s*\}\}/gi, () => original);
}

/** The names for a character and a user, with SillyTavern's fallback for a user without a name. */
export function macroNames(charName: string, userName: string | null | undefined): MacroNames {
  return { char: charName, user: userName?.trim() || DEFAULT_USER_NAME };
}

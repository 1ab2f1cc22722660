/**
 * Lorebook key matching, as SillyTavern's World Info does it: plain keys
 * match as substrings (or as whole words when the entry asks), ignoring case
 * unless the entry is case-sensitive; `/pattern/flags` keys (and every key of
 * a V3 entry with `use_regex`) are regular expressions. Pure.
 *
 * A regular expression from a card runs on the server over chat text, so only
 * patterns that cannot backtrack catastrophically are compiled: at most 200
 * characters, no backreferences, no quantified group that itself contains a
 * quantifier or an alternation. Any other pattern is matched as plain text.
 */

export interface KeyOptions {
  caseSensitive: boolean;
  wholeWords: boolean;
  /** The key is a regular expression without slashes (V3 `use_regex`). */
  regex: boolean;
}

/** Tests one key against the scan text. */
export type KeyMatcher = (text: string) => boolean;

const SLASHED = /^\/([\w\W]+?)\/([gimsuy]*)$/;
const MAX_PATTERN = 200;

/** Whether a pattern is simple enough to run on untrusted text (see the header). */
export function isSafePattern(source: string): boolean {
  if (source.length > MAX_PATTERN) return false;
  if (/\\[1-9]|\\k</.test(source)) return false;
  // A group followed by a quantifier must not hold a quantifier or an alternation: (a+)+, (a|aa)*, (\w*){2,}.
  const stack: { quantified: boolean }[] = [];
  let escaped = false;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (escaped) {
      escaped = false;
      continue;
    }
    if (c === "\\") {
      escaped = true;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") stack.push({ quantified: false });
    else if (c === ")") {
      const group = stack.pop();
      const next = source[i + 1];
      const repeated = next === "*" || next === "+" || next === "{" || next === "?";
      if (group?.quantified && repeated && next !== "?") return false;
      if (stack.length && (group?.quantified || repeated)) stack[stack.length - 1].quantified = true;
    } else if ((c === "*" || c === "+" || c === "{" || c === "|") && stack.length) {
      stack[stack.length - 1].quantified = true;
    }
  }
  return true;
}

function compile(source: string, flags: string): RegExp | null {
  if (!isSafePattern(source)) return null;
  try {
    return new RegExp(source, [...new Set(flags.replace(/[gy]/g, ""))].join(""));
  } catch {
    return null;
  }
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A matcher for `key`, or null for a key that can never match (empty). */
export function keyMatcher(key: string, opts: KeyOptions): KeyMatcher | null {
  const trimmed = key.trim();
  if (!trimmed) return null;
  const slashed = opts.regex ? null : SLASHED.exec(trimmed);
  const re = opts.regex ? compile(trimmed, opts.caseSensitive ? "" : "i") : slashed ? compile(slashed[1], slashed[2]) : null;
  if (re) return (text) => re.test(text);
  const needle = opts.caseSensitive ? trimmed : trimmed.toLowerCase();
  const fold = (text: string) => (opts.caseSensitive ? text : text.toLowerCase());
  if (opts.wholeWords && !/\s/.test(needle)) {
    // SillyTavern's boundaries: any non-word character, or either end of the text.
    const word = new RegExp(`(?:^|\\W)(${escapeRegex(needle)})(?:$|\\W)`);
    return (text) => word.test(fold(text));
  }
  return (text) => fold(text).includes(needle);
}

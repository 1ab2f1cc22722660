/**
 * Words as recall sees them: lowercase, accents folded, split on anything
 * that is not a letter or digit, stop words dropped, Porter-stemmed. The
 * same function makes the index (the session object's FTS5 column holds
 * these stems, space-separated) and the query, so the two always agree.
 * Pure.
 */
import { stem } from "./stem";

const STOP = new Set(
  (
    "a about above after again against all also am an and any are aren as at be because been before being below between both but by " +
    "can cannot could couldn did didn do does doesn doing don down during each few for from further get got had hadn has hasn have " +
    "haven having he her here hers herself him himself his how i if in into is isn it its itself just let ll me more most much must " +
    "my myself no nor not now of off oh ok okay on once only or other ought our ours ourselves out over own re really same shall " +
    "she should so some such than that the their theirs them themselves then there these they this those through to too under until " +
    "up us ve very was wasn we were weren what when where which while who whom why will with won would wouldn yeah yes yet you your " +
    "yours yourself yourselves s t d m"
  ).split(" "),
);

/** Words that say how a question is asked, not what it is about. */
const ASKING = new Set("tell know remember forget said say asked word again back like thing things think".split(" "));

/** Lowercase words of `text` with accents folded: runs of letters and digits. */
export function rawWords(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** Whether a lowercase word can carry meaning for search (not a stop word, not a lone letter). */
export function isContentWord(word: string): boolean {
  return word.length >= 2 && !STOP.has(word) && !ASKING.has(word);
}

/** Every content word's stem in order, repeats kept (term frequency counts them). */
export function stemsOf(text: string): string[] {
  const out: string[] = [];
  for (const w of rawWords(text)) if (isContentWord(w)) out.push(stem(w));
  return out;
}

/** The stems and, for each, the first word that produced it (shown to a user: "matched: painting"). */
export function termsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of rawWords(text))
    if (isContentWord(w)) {
      const s = stem(w);
      if (!out.has(s)) out.set(s, w);
    }
  return out;
}

/** What the index stores for a message: its stems, space-separated. */
export function indexText(text: string): string {
  return stemsOf(text).join(" ");
}

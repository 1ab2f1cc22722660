/**
 * The full-text terms for recall: the distinctive words of the new message,
 * OR-ed by the query, so one rare word is enough to find the turn that used
 * it. Pure; the terms hold only [a-z0-9], safe for to_tsquery.
 */

const STOP = new Set(
  (
    "the and you your for are was were what when where which who why how that this with from have has had " +
    "not but all can did does its into out our she her him his they them then than there their about would could should " +
    "will just like know tell said say any some more most very much one two also been being over only such these those " +
    "remember forget word again back asked"
  ).split(" "),
);
const MAX_TERMS = 8;

/** The distinct searchable words of a text: [a-z0-9], three letters or more, no stop words. */
export function searchWords(text: string): string[] {
  const words = text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .split(/\s+/);
  const terms: string[] = [];
  for (const w of words) {
    const t = w.replace(/[^a-z0-9]/g, "");
    if (t.length >= 3 && !STOP.has(t) && !terms.includes(t)) terms.push(t);
  }
  return terms;
}

/**
 * The words of a new message worth searching older history for. Words the
 * prompt's recent turns already hold are what the conversation is about
 * right now (they would match half the history); recall is for what fell
 * out of it. `inPrompt` says whether a word is in those turns.
 */
export function recallTerms(text: string, inPrompt: (word: string) => boolean = () => false): string[] {
  const terms = searchWords(text).filter((t) => !inPrompt(t));
  // Longer words are rarer: keep those when there are many.
  return terms.sort((a, b) => b.length - a.length).slice(0, MAX_TERMS);
}

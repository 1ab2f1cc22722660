/**
 * The streaming hot path's shortcut past JSON.parse: the content of an
 * ordinary OpenAI chunk (`…"choices":[{…,"delta":{"content":"…"},…}]…`)
 * read straight from the text, both as the JSON string literal it already
 * is (to be framed onward as is, with no stringify) and as its value. Any
 * chunk that is not plainly that shape (an error, usage, a finish reason,
 * another choice, escaped keys, a role) returns null, and the caller parses
 * it the slow way, so a chunk read here reads exactly as JSON.parse would
 * read it. Pure.
 */

/** A chunk's `choices[0].delta.content`: the literal with its quotes, and its value. */
export interface SlicedContent {
  /** The JSON string literal, quotes included, as the upstream wrote it. */
  json: string;
  text: string;
}

const OPEN = '"delta":{"content":"';
const QUOTE = 34;
const BACKSLASH = 92;

// Members whose values are scalars (a plain string, a number, true, false, null), written compactly.
const SCALAR = String.raw`(?:null|true|false|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|"[^"\\\u0000-\u001f]*")`;
const MEMBER = `"([A-Za-z0-9_]+)":(${SCALAR})`;
const MEMBERS_BEFORE = `(?:"[A-Za-z0-9_]+":${SCALAR},)*`;
const MEMBERS_AFTER = `(?:,"[A-Za-z0-9_]+":${SCALAR})*`;
/** Everything before the delta: the top-level object's scalar members, `"choices":[{`, the first choice's scalar members. */
const HEAD = new RegExp(String.raw`^\{${MEMBERS_BEFORE}"choices":\[\{${MEMBERS_BEFORE}$`);
/** Everything after the delta's closing brace: the choice's scalar members, `}]`, the top level's, `}`. */
const TAIL = new RegExp(String.raw`^${MEMBERS_AFTER}\}\]${MEMBERS_AFTER}\}$`);
const MEMBER_G = new RegExp(MEMBER, "g");

/**
 * Scalar members that would change what JSON.parse makes of the chunk: an
 * error, a finish reason, a second `choices` or `delta` (the last one wins).
 */
function harmless(members: string): boolean {
  for (const [, key, value] of members.matchAll(MEMBER_G)) {
    if (key === "choices" || key === "delta") return false;
    if ((key === "error" || key === "finish_reason") && value !== "null") return false;
  }
  return true;
}

/** The decoded value of a JSON string body (no quotes) that has escapes; null when it is not valid JSON. */
function decodeBody(body: string): string | null {
  try {
    const value: unknown = JSON.parse(`"${body}"`);
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}

/** The content of `data` when it is a plain content chunk; null when it must be parsed. */
export function sliceContent(data: string): SlicedContent | null {
  const at = data.indexOf(OPEN);
  if (at === -1) return null;
  const start = at + OPEN.length;
  let escaped = false;
  let end = start;
  for (;;) {
    if (end >= data.length) return null;
    const c = data.charCodeAt(end);
    if (c === QUOTE) break;
    if (c < 0x20) return null;
    if (c === BACKSLASH) {
      escaped = true;
      end += 2;
    } else {
      end++;
    }
  }
  if (data.charCodeAt(end + 1) !== 125) return null;
  const head = data.slice(0, at);
  const tail = data.slice(end + 2);
  if (!HEAD.test(head) || !TAIL.test(tail) || !harmless(head) || !harmless(tail)) return null;
  const body = data.slice(start, end);
  const text = escaped ? decodeBody(body) : body;
  return text === null ? null : { json: data.slice(start - 1, end + 1), text };
}

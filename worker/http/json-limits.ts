/**
 * Bounds on any JSON body before a schema reads it: nesting depth (scanned
 * on the raw text, so a hostile document is refused before it is parsed),
 * the number of object keys, and strings PostgreSQL cannot store (U+0000,
 * unpaired surrogates; see text.ts), named by their path. Iterative, so no
 * document can exhaust the stack. Pure.
 */
import { textProblem } from "./text";

export interface JsonLimits {
  maxDepth: number;
  maxKeys: number;
}

/** Enough for every body the API takes; cards bring their own limits. */
export const BODY_JSON_LIMITS: JsonLimits = { maxDepth: 32, maxKeys: 10_000 };

export type JsonProblem = { field?: string; message: string };

/** The deepest nesting of `[`/`{` in a JSON text, stopping once past `max` (strings are skipped). */
export function nestingDepth(json: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

/** The first problem with a parsed document (too many keys, or a string or key that cannot be stored), or null. */
export function jsonProblem(value: unknown, limits: JsonLimits): JsonProblem | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: "" }];
  let keys = 0;
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      const problem = textProblem(v);
      if (problem) return { field: path || undefined, message: `${path || "body"}: ${problem}` };
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    if (!Array.isArray(v)) {
      keys += entries.length;
      if (keys > limits.maxKeys) return { message: `The body has more than ${limits.maxKeys} keys.` };
    }
    for (const [k, x] of entries) {
      const at = path ? `${path}.${k}` : k;
      const problem = textProblem(k);
      // The key itself is not echoed: it is what cannot be shown.
      if (problem) return { field: path || undefined, message: `${path || "body"}: a key ${problem}` };
      stack.push({ v: x, path: at });
    }
  }
  return null;
}

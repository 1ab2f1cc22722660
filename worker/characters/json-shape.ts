/**
 * Bounds on untrusted JSON before anything else reads it: nesting depth
 * (checked on the raw text, before parsing), the number of keys, and U+0000,
 * which PostgreSQL cannot store in text or jsonb. Iterative, so a hostile
 * document cannot exhaust the stack. Pure.
 */

export interface JsonLimits {
  maxDepth: number;
  maxKeys: number;
}

export type ShapeProblem = { kind: "too_deep"; depth: number } | { kind: "too_many_keys"; keys: number } | { kind: "nul"; field: string };

/** The deepest nesting of `[`/`{` in a JSON text, stopping once past `max` (strings are skipped). */
export function nestingDepth(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** The first problem with a parsed document: too deep, too many keys, or a NUL in a string or key (named by its path). */
export function checkShape(value: unknown, limits: JsonLimits): ShapeProblem | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: "", depth: 0 }];
  let keys = 0;
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\u0000")) return { kind: "nul", field: path || "(root)" };
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (depth + 1 > limits.maxDepth) return { kind: "too_deep", depth: depth + 1 };
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    if (!Array.isArray(v)) {
      keys += entries.length;
      if (keys > limits.maxKeys) return { kind: "too_many_keys", keys };
    }
    for (const [k, x] of entries) {
      const at = path ? `${path}.${k}` : k;
      if (k.includes("\u0000")) return { kind: "nul", field: at.replaceAll("\u0000", "\\u0000") };
      stack.push({ v: x, path: at, depth: depth + 1 });
    }
  }
  return null;
}

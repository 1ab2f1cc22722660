/**
 * "Remember this": which user messages pin a memory, and the fact they pin.
 * Pure; the phrase list is configurable (MEMORY_TRIGGERS, comma-separated).
 */

export const DEFAULT_TRIGGERS = [
  "remember this",
  "remember that",
  "please remember",
  "you should remember",
  "don't forget",
  "do not forget",
  "never forget",
  "keep in mind",
  "make a note",
  "note that",
  "n'oublie pas",
  "souviens-toi",
  "merk dir",
  "recuerda que",
];
const MAX_FACT = 1000;

export function parseTriggers(value: string | undefined): string[] {
  const list = (value ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return list.length ? list : DEFAULT_TRIGGERS;
}

const normalise = (s: string) => s.toLowerCase().replace(/[’‘]/g, "'");

/** The fact a message pins, or null when it asks nothing to be remembered. */
export function pinnedFact(content: string, triggers: string[]): string | null {
  const text = normalise(content);
  const hit = triggers.find((t) => text.includes(t));
  if (!hit) return null;
  // "Remember this: my sister is Zelda." → "my sister is Zelda."; otherwise the whole message.
  const at = text.indexOf(hit);
  const rest = content
    .slice(at + hit.length)
    .replace(/^[\s:,.!-]+/, "")
    .trim();
  const fact = at === 0 && rest.length >= 3 ? rest : content.trim();
  return fact.slice(0, MAX_FACT);
}

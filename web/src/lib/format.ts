/** Small display helpers: initials, colours, times, snippets, card macros. */
import { applyMacros } from "../../../worker/characters/macros";

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] ?? "?").slice(0, 2);
  return letters.toUpperCase();
}

/** A stable hue per name, for avatar backgrounds. */
export function hue(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.codePointAt(0)!) % 360;
  return h;
}

export function relativeTime(iso: string, now = Date.now()): string {
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return "";
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/** A date and time in the reader's own format, for a timestamp's title. */
export function fullTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString(undefined, { dateStyle: "full", timeStyle: "short" });
}

/** Seconds as "42 s" or "3 min 5 s". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
}

/** One line of plain text from Markdown-ish content. */
export function snippet(text: string, max = 90): string {
  const plain = text
    .replace(/[*_`#>~]|\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

/** Fills the Character Card macros ({{char}}, {{user}}, <BOT>, <USER>, …) exactly as the server does for the model. */
export function fillMacros(text: string, char: string, user: string): string {
  return applyMacros(text, { char, user });
}

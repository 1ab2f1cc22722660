/**
 * A card's lorebook (`character_book`, World Info) read into the shape the
 * scanner uses, with SillyTavern's reading of each field: entries without a
 * `position` go after the character; SillyTavern's own extension fields
 * (`selectiveLogic`, `match_whole_words`, `exclude_recursion`, …) are honoured
 * when present. Pure; anything malformed is skipped, never thrown.
 */

export type LorePosition = "before_char" | "after_char";
/** SillyTavern's secondary-key logic: AND ANY (V2's `selective`), NOT ALL, NOT ANY, AND ALL. */
export type SelectiveLogic = 0 | 1 | 2 | 3;

export interface LoreEntry {
  id: string;
  /** `comment` or `name`, for the ledger. */
  name: string;
  keys: string[];
  secondaryKeys: string[];
  content: string;
  enabled: boolean;
  constant: boolean;
  selective: boolean;
  selectiveLogic: SelectiveLogic;
  caseSensitive: boolean;
  wholeWords: boolean;
  regex: boolean;
  insertionOrder: number;
  position: LorePosition;
  /** Messages this entry looks back over, when it overrides the book's. */
  scanDepth: number | null;
  /** Not activated by another entry's text. */
  excludeRecursion: boolean;
  /** Its text does not activate other entries. */
  preventRecursion: boolean;
  /** `@@activate` / `@@dont_activate` decorators at the top of the content. */
  decorator: "activate" | "dont_activate" | null;
}

export interface Lorebook {
  name: string;
  /** Recent messages scanned for keys (the new one included). */
  scanDepth: number;
  /** The book's own token budget, if it sets one. */
  tokenBudget: number | null;
  recursive: boolean;
  entries: LoreEntry[];
}

/** SillyTavern's default scan depth: the new message and the one before it. */
export const DEFAULT_SCAN_DEPTH = 2;
/** Scan depth and recursion passes are capped so a card cannot make a turn scan its whole history. */
export const MAX_SCAN_DEPTH = 50;
export const MAX_RECURSION_PASSES = 5;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : "");
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : []);
const bool = (v: unknown, fallback: boolean) => (typeof v === "boolean" ? v : fallback);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Leading `@@decorator` lines (V3, SillyTavern) are taken off the text the model sees. */
function decorators(content: string): { content: string; decorator: LoreEntry["decorator"] } {
  if (!content.startsWith("@@")) return { content, decorator: null };
  const lines = content.split("\n");
  let decorator: LoreEntry["decorator"] = null;
  let i = 0;
  for (; i < lines.length && lines[i].startsWith("@@"); i++) {
    const d = lines[i].trim();
    if (d === "@@activate") decorator = "activate";
    else if (d === "@@dont_activate") decorator = "dont_activate";
  }
  return { content: lines.slice(i).join("\n"), decorator };
}

function entryOf(raw: unknown, index: number): LoreEntry | null {
  if (!isObj(raw)) return null;
  const ext = isObj(raw.extensions) ? raw.extensions : {};
  const logic = num(ext.selectiveLogic);
  const extPosition = num(ext.position);
  const position: LorePosition =
    extPosition === 0 || (extPosition === null && raw.position === "before_char") ? "before_char" : "after_char";
  const depth = num(ext.scan_depth);
  const { content, decorator } = decorators(str(raw.content));
  return {
    id: typeof raw.id === "number" || typeof raw.id === "string" ? String(raw.id) : String(index),
    name: str(raw.comment) || str(raw.name),
    keys: strings(raw.keys),
    secondaryKeys: strings(raw.secondary_keys),
    content,
    enabled: bool(raw.enabled, true),
    constant: bool(raw.constant, false),
    selective: bool(raw.selective, false),
    selectiveLogic: logic === 1 || logic === 2 || logic === 3 ? logic : 0,
    caseSensitive: bool(raw.case_sensitive, bool(ext.case_sensitive, false)),
    wholeWords: bool(ext.match_whole_words, false),
    regex: bool(raw.use_regex, false),
    insertionOrder: num(raw.insertion_order) ?? 100,
    position,
    scanDepth: depth === null ? null : Math.max(0, Math.min(MAX_SCAN_DEPTH, Math.floor(depth))),
    excludeRecursion: bool(ext.exclude_recursion, false),
    preventRecursion: bool(ext.prevent_recursion, false),
    decorator,
  };
}

/** The lorebook of a card's `character_book`, or null when it has no entries. */
export function lorebookOf(book: unknown): Lorebook | null {
  if (!isObj(book) || !Array.isArray(book.entries)) return null;
  const entries = book.entries.map(entryOf).filter((e): e is LoreEntry => e !== null);
  if (entries.length === 0) return null;
  const depth = num(book.scan_depth);
  const budget = num(book.token_budget);
  return {
    name: str(book.name),
    scanDepth: depth === null ? DEFAULT_SCAN_DEPTH : Math.max(0, Math.min(MAX_SCAN_DEPTH, Math.floor(depth))),
    tokenBudget: budget !== null && budget > 0 ? Math.floor(budget) : null,
    recursive: bool(book.recursive_scanning, false),
    entries,
  };
}

/**
 * The World Info engine: which lorebook entries a turn activates, on which
 * word, and what they add before and after the character definition. It
 * follows SillyTavern's `checkWorldInfo`: entries are considered from the
 * highest `insertion_order` down and take the budget in that order (a full
 * budget stops activation and recursion); the activated ones go into the
 * prompt lowest order first. Pure.
 */
import { countTokens } from "../context/tokens";
import { type KeyMatcher, keyMatcher } from "./key-match";
import { type Lorebook, type LoreEntry, type LorePosition, MAX_RECURSION_PASSES } from "./lorebook";
import { applyMacros, type MacroNames } from "./macros";

interface PreparedKey {
  key: string;
  match: KeyMatcher;
}

interface PreparedEntry {
  entry: LoreEntry;
  content: string;
  tokens: number;
  keys: PreparedKey[];
  secondary: PreparedKey[];
}

/** A lorebook with its keys compiled and its texts counted, for one (character, user) pair. */
export interface PreparedLorebook {
  book: Lorebook;
  /** Highest insertion order first; the card's order among equals. */
  entries: PreparedEntry[];
}

/** One chat message as the scanner sees it. */
export interface ScanMessage {
  name: string;
  text: string;
}

export type Trigger =
  | { kind: "constant" }
  | { kind: "decorator" }
  /** `key` matched; `secondary` is the secondary key that satisfied the logic, if any; pass 2+ means recursion. */
  | { kind: "key"; key: string; secondary?: string; pass: number };

export interface FiredEntry {
  id: string;
  name: string;
  position: LorePosition;
  insertionOrder: number;
  tokens: number;
  trigger: Trigger;
}

export interface LoreScan {
  /** Entries' text before the character definition (joined by newlines). */
  before: string;
  after: string;
  /** Activated entries, in prompt order. */
  fired: FiredEntry[];
  /** Entries that matched but did not fit the budget. */
  dropped: { id: string; tokens: number }[];
  tokens: number;
}

function prepareKeys(keys: string[], e: LoreEntry, names: MacroNames): PreparedKey[] {
  return keys.flatMap((raw) => {
    const key = applyMacros(raw, names).trim();
    const match = keyMatcher(key, { caseSensitive: e.caseSensitive, wholeWords: e.wholeWords, regex: e.regex });
    return match ? [{ key, match }] : [];
  });
}

/** Compiles keys and counts entry texts once; a turn then only scans. */
export function prepareLorebook(book: Lorebook, names: MacroNames): PreparedLorebook {
  const entries = book.entries
    .filter((e) => e.enabled)
    .map((entry) => {
      const content = applyMacros(entry.content, names).trim();
      return {
        entry,
        content,
        tokens: content ? countTokens(content) : 0,
        keys: prepareKeys(entry.keys, entry, names),
        secondary: prepareKeys(entry.secondaryKeys, entry, names),
      };
    })
    .sort((a, b) => b.entry.insertionOrder - a.entry.insertionOrder);
  return { book, entries };
}

/** SillyTavern's logic over the secondary keys; returns the key that decided, "" when none did, or null for "not activated". */
function secondaryDecision(p: PreparedEntry, text: string): string | null {
  const matched = p.secondary.map((k) => k.match(text));
  switch (p.entry.selectiveLogic) {
    case 0:
      return p.secondary.find((_, i) => matched[i])?.key ?? null;
    case 1:
      return p.secondary.find((_, i) => !matched[i])?.key ?? null;
    case 2:
      return matched.some(Boolean) ? null : "";
    default:
      return matched.every(Boolean) ? "" : null;
  }
}

/** The scan text at `depth`: newest message first, each `Name: text`, separated so no key spans two messages. */
function scanText(recent: ScanMessage[], depth: number): string {
  if (depth <= 0) return "";
  return `\x01${recent
    .slice(-depth)
    .reverse()
    .map((m) => `${m.name}: ${m.text.trim()}`)
    .join("\n\x01")}`;
}

function triggerOf(p: PreparedEntry, text: string, pass: number): Trigger | null {
  const e = p.entry;
  if (e.decorator === "activate") return { kind: "decorator" };
  if (e.decorator === "dont_activate") return null;
  if (e.constant) return { kind: "constant" };
  const primary = p.keys.find((k) => k.match(text));
  if (!primary) return null;
  if (!e.selective || p.secondary.length === 0) return { kind: "key", key: primary.key, pass };
  const secondary = secondaryDecision(p, text);
  if (secondary === null) return null;
  return secondary ? { kind: "key", key: primary.key, secondary, pass } : { kind: "key", key: primary.key, pass };
}

/**
 * Scans the recent messages (oldest first, the new message last) and
 * activates entries within `budget` tokens.
 */
export function scanLorebook(p: PreparedLorebook, recent: ScanMessage[], budget: number): LoreScan {
  const texts = new Map<number, string>();
  const textAt = (depth: number) => {
    let t = texts.get(depth);
    if (t === undefined) texts.set(depth, (t = scanText(recent, depth)));
    return t;
  };
  const active = new Map<PreparedEntry, Trigger>();
  const dropped: LoreScan["dropped"] = [];
  const recursed: string[] = [];
  let used = 0;
  for (let pass = 1; pass <= MAX_RECURSION_PASSES; pass++) {
    const extra = recursed.length ? `\n\x01${recursed.join("\n\x01")}` : "";
    const now: [PreparedEntry, Trigger][] = [];
    for (const entry of p.entries) {
      if (active.has(entry) || (pass > 1 && entry.entry.excludeRecursion)) continue;
      const trigger = triggerOf(entry, textAt(entry.entry.scanDepth ?? p.book.scanDepth) + extra, pass);
      if (trigger) now.push([entry, trigger]);
    }
    const added: PreparedEntry[] = [];
    let full = false;
    for (const [entry, trigger] of now) {
      const cost = entry.tokens + 1;
      if (full || used + cost > budget) {
        full = true;
        dropped.push({ id: entry.entry.id, tokens: entry.tokens });
        continue;
      }
      used += cost;
      active.set(entry, trigger);
      added.push(entry);
    }
    const spread = added.filter((e) => !e.entry.preventRecursion && e.content);
    if (full || !p.book.recursive || spread.length === 0) break;
    recursed.push(spread.map((e) => e.content).join("\n"));
  }

  // Activated entries in the prompt: lowest insertion order first (SillyTavern unshifts them from the highest).
  const ordered = p.entries.filter((e) => active.has(e)).reverse();
  const join = (pos: LorePosition) =>
    ordered
      .filter((e) => e.entry.position === pos && e.content)
      .map((e) => e.content)
      .join("\n");
  return {
    before: join("before_char"),
    after: join("after_char"),
    fired: ordered.map((e) => ({
      id: e.entry.id,
      name: e.entry.name,
      position: e.entry.position,
      insertionOrder: e.entry.insertionOrder,
      tokens: e.tokens,
      trigger: active.get(e)!,
    })),
    dropped,
    tokens: used,
  };
}

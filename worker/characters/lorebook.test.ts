import { describe, expect, it } from "vitest";
import { countTokens } from "../context/tokens";
import { DEFAULT_SCAN_DEPTH, lorebookOf } from "./lorebook";
import { prepareLorebook, type ScanMessage, scanLorebook } from "./lorebook-scan";

const names = { char: "Vela", user: "Sam" };
const entry = (id: number, keys: string[], content: string, over: Record<string, unknown> = {}) => ({
  id,
  keys,
  content,
  enabled: true,
  insertion_order: 100,
  extensions: {},
  ...over,
});
const book = (entries: unknown[], over: Record<string, unknown> = {}) => lorebookOf({ entries, extensions: {}, ...over })!;
const says = (...texts: string[]): ScanMessage[] => texts.map((text, i) => ({ name: i % 2 === texts.length % 2 ? "Vela" : "Sam", text }));
const scan = (b: ReturnType<typeof book>, messages: ScanMessage[], budget = 10_000) =>
  scanLorebook(prepareLorebook(b, names), messages, budget);

describe("lorebookOf", () => {
  it("reads V2 fields with SillyTavern's defaults", () => {
    const b = book([entry(7, ["a"], "A", { position: "before_char", comment: "Alpha" }), { keys: ["b"], content: "B" }, "junk"]);
    expect(b.scanDepth).toBe(DEFAULT_SCAN_DEPTH);
    expect(b.recursive).toBe(false);
    expect(b.tokenBudget).toBeNull();
    expect(b.entries.map((e) => [e.id, e.name, e.position, e.enabled, e.insertionOrder])).toEqual([
      ["7", "Alpha", "before_char", true, 100],
      ["1", "", "after_char", true, 100],
    ]);
  });

  it("has no lorebook without entries", () => {
    expect(lorebookOf(undefined)).toBeNull();
    expect(lorebookOf({ entries: [] })).toBeNull();
    expect(lorebookOf({ entries: "x" })).toBeNull();
  });

  it("caps the scan depth a card may ask for", () => {
    expect(book([entry(1, ["a"], "A")], { scan_depth: 1_000_000 }).scanDepth).toBe(50);
  });
});

describe("scanLorebook", () => {
  it("fires an entry on its key, says which word, and puts it before or after the character", () => {
    const b = book([
      entry(1, ["harbour", "port"], "The harbour of Kell is walled.", { position: "before_char" }),
      entry(2, ["storm"], "Storms come from the west."),
      entry(3, ["dragon"], "Never shown."),
    ]);
    const s = scan(b, says("Any news?", "We reached port at dawn. A storm is coming."));
    expect(s.before).toBe("The harbour of Kell is walled.");
    expect(s.after).toBe("Storms come from the west.");
    // Equal insertion orders come out in reverse card order, as in SillyTavern (it unshifts them).
    expect(s.fired.map((f) => [f.id, f.trigger])).toEqual([
      ["2", { kind: "key", key: "storm", pass: 1 }],
      ["1", { kind: "key", key: "port", pass: 1 }],
    ]);
  });

  it("looks back only scan_depth messages (the new message counts)", () => {
    const b = book([entry(1, ["lighthouse"], "L.")], { scan_depth: 1 });
    expect(scan(b, says("the lighthouse", "hello")).fired).toHaveLength(0);
    expect(scan(b, says("hello", "the lighthouse")).fired).toHaveLength(1);
    const deep = book([entry(1, ["lighthouse"], "L.")], { scan_depth: 3 });
    expect(scan(deep, says("the lighthouse", "a", "b")).fired).toHaveLength(1);
    expect(scan(deep, says("the lighthouse", "a", "b", "c")).fired).toHaveLength(0);
  });

  it("matches the speakers' names too, as SillyTavern includes them in the scan", () => {
    expect(scan(book([entry(1, ["{{user}}"], "About {{user}}.")]), says("hi")).after).toBe("About Sam.");
  });

  it("never lets a key span two messages", () => {
    expect(scan(book([entry(1, ["red moon"], "M.")]), says("the red", "moon rises")).fired).toHaveLength(0);
  });

  it("fires constant entries without a key, and never disabled ones", () => {
    const b = book([entry(1, [], "Always.", { constant: true }), entry(2, ["x"], "Off.", { enabled: false, constant: true })]);
    const s = scan(b, says("nothing"));
    expect(s.fired.map((f) => [f.id, f.trigger.kind])).toEqual([["1", "constant"]]);
  });

  it("applies selective secondary keys with AND ANY (V2) and SillyTavern's other logics", () => {
    const sel = (logic?: number) =>
      book([entry(1, ["sword"], "S.", { selective: true, secondary_keys: ["fire", "ice"], extensions: { selectiveLogic: logic } })]);
    const fired = (logic: number | undefined, text: string) => scan(sel(logic), says(text)).fired.map((f) => f.trigger);
    expect(fired(undefined, "a sword")).toEqual([]);
    expect(fired(undefined, "a sword of ice")).toEqual([{ kind: "key", key: "sword", secondary: "ice", pass: 1 }]);
    expect(fired(1, "a sword of fire and ice")).toEqual([]);
    expect(fired(1, "a sword of fire")).toEqual([{ kind: "key", key: "sword", secondary: "ice", pass: 1 }]);
    expect(fired(2, "a sword of fire")).toEqual([]);
    expect(fired(2, "a plain sword")).toEqual([{ kind: "key", key: "sword", pass: 1 }]);
    expect(fired(3, "a sword of fire")).toEqual([]);
    expect(fired(3, "a sword of fire and ice")).toEqual([{ kind: "key", key: "sword", pass: 1 }]);
    // Not selective: secondary keys are ignored.
    const loose = book([entry(1, ["sword"], "S.", { selective: false, secondary_keys: ["fire"] })]);
    expect(scan(loose, says("a sword")).fired).toHaveLength(1);
  });

  it("honours case_sensitive and whole-word matching", () => {
    const b = book([
      entry(1, ["Kell"], "K.", { case_sensitive: true }),
      entry(2, ["cat"], "C.", { extensions: { match_whole_words: true } }),
      entry(3, ["cat"], "D."),
    ]);
    expect(scan(b, says("kell's category")).fired.map((f) => f.id)).toEqual(["3"]);
    expect(scan(b, says("Kell's cat")).fired.map((f) => f.id)).toEqual(["3", "2", "1"]);
  });

  it("orders the prompt lowest insertion_order first and spends the budget highest first", () => {
    const b = book([
      entry(1, ["a"], "Order ten.", { insertion_order: 10 }),
      entry(2, ["a"], "Order thirty.", { insertion_order: 30 }),
      entry(3, ["a"], "Order twenty.", { insertion_order: 20 }),
    ]);
    expect(scan(b, says("a")).after).toBe("Order ten.\nOrder twenty.\nOrder thirty.");
    const two = countTokens("Order thirty.") + 1 + countTokens("Order twenty.") + 1;
    const s = scan(b, says("a"), two);
    expect(s.after).toBe("Order twenty.\nOrder thirty.");
    expect(s.dropped).toEqual([{ id: "1", tokens: countTokens("Order ten.") }]);
    expect(s.tokens).toBe(two);
  });

  it("stops at the first entry over budget, even if a later one would fit", () => {
    const b = book([entry(1, ["a"], "A much longer entry than the other one here.", { insertion_order: 200 }), entry(2, ["a"], "Short.")]);
    const s = scan(b, says("a"), 5);
    expect(s.fired).toEqual([]);
    expect(s.dropped.map((d) => d.id)).toEqual(["1", "2"]);
  });

  it("scans recursively only when the book asks, and respects exclude/prevent recursion", () => {
    const entries = [
      entry(1, ["kell"], "Kell is ruled by the Tide Queen."),
      entry(2, ["tide queen"], "The Tide Queen is ancient."),
      entry(3, ["ancient"], "Ancient things sleep.", { extensions: { exclude_recursion: true } }),
    ];
    expect(scan(book(entries), says("to kell")).fired.map((f) => f.id)).toEqual(["1"]);
    const s = scan(book(entries, { recursive_scanning: true }), says("to kell"));
    expect(s.fired.map((f) => [f.id, f.trigger])).toEqual([
      ["2", { kind: "key", key: "tide queen", pass: 2 }],
      ["1", { kind: "key", key: "kell", pass: 1 }],
    ]);
    const prevented = [{ ...entries[0], extensions: { prevent_recursion: true } }, entries[1]];
    expect(scan(book(prevented, { recursive_scanning: true }), says("to kell")).fired.map((f) => f.id)).toEqual(["1"]);
  });

  it("stops recursing after a bounded number of passes", () => {
    const chain = Array.from({ length: 12 }, (_, i) => entry(i, [`w${i}`], `w${i + 1}`));
    const s = scan(book(chain, { recursive_scanning: true }), says("w0"));
    expect(s.fired.length).toBe(5);
  });

  it("obeys @@activate and @@dont_activate and hides decorators from the model", () => {
    const b = book([entry(1, [], "@@activate\nAlways on."), entry(2, ["x"], "@@dont_activate\nNever.")]);
    const s = scan(b, says("x"));
    expect(s.after).toBe("Always on.");
    expect(s.fired.map((f) => f.trigger.kind)).toEqual(["decorator"]);
  });

  it("fills macros in keys and content", () => {
    const b = book([entry(1, ["{{char}}'s ship"], "<BOT> loves her ship; {{user}} is crew.")]);
    expect(scan(b, says("Tell me about Vela's ship")).after).toBe("Vela loves her ship; Sam is crew.");
  });
});

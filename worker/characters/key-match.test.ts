import { describe, expect, it } from "vitest";
import { isSafePattern, keyMatcher } from "./key-match";

const plain = { caseSensitive: false, wholeWords: false, regex: false };
const match = (key: string, text: string, opts = {}) => keyMatcher(key, { ...plain, ...opts })!(text);

describe("keyMatcher", () => {
  it("matches plain keys as case-insensitive substrings by default, as SillyTavern does", () => {
    expect(match("Dragon", "the dragons came")).toBe(true);
    expect(match("dragon", "DRAGON!")).toBe(true);
    expect(match("wyrm", "a dragon")).toBe(false);
  });

  it("respects case sensitivity", () => {
    expect(match("Rose", "a rose", { caseSensitive: true })).toBe(false);
    expect(match("Rose", "Rose Tyler", { caseSensitive: true })).toBe(true);
  });

  it("matches whole words when asked; keys with spaces stay substrings", () => {
    expect(match("cat", "category", { wholeWords: true })).toBe(false);
    expect(match("cat", "a cat.", { wholeWords: true })).toBe(true);
    expect(match("cat", "cat", { wholeWords: true })).toBe(true);
    expect(match("old cat", "the bold cattle", { wholeWords: true })).toBe(true);
  });

  it("runs /pattern/flags keys and V3 use_regex keys as regular expressions", () => {
    expect(match("/ha+rbou?r/i", "The HAARBOR lights")).toBe(true);
    expect(match("/^Vela$/", "vela")).toBe(false);
    expect(match("colou?r", "what color", { regex: true })).toBe(true);
    expect(match("COLOU?R", "what color", { regex: true, caseSensitive: true })).toBe(false);
  });

  it("matches an unsafe or invalid pattern as plain text", () => {
    expect(match("/(a+)+$/", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")).toBe(false);
    expect(match("/(a+)+$/", "see /(a+)+$/ here")).toBe(true);
    expect(match("/[unclosed/", "x /[unclosed/ y")).toBe(true);
  });

  it("never matches an empty key", () => {
    expect(keyMatcher("  ", plain)).toBeNull();
  });
});

describe("isSafePattern", () => {
  it.each([
    ["dragons?", true],
    ["(red|blue) dragon", true],
    ["(?:ab)+c", true],
    ["[(+*)]+", true],
    ["(a+)+", false],
    ["(a|aa)*", false],
    ["((ab)*)+", false],
    ["(\\w*){2,}", false],
    ["(x)\\1", false],
    ["a".repeat(201), false],
  ])("%s → %s", (pattern, safe) => {
    expect(isSafePattern(pattern)).toBe(safe);
  });
});

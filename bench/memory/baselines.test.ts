import { describe, expect, it } from "vitest";
import { approxTokens, PROMPT_BUDGET, plainRag, recentWindow } from "./baselines";
import { B, createBm25, K1, tokenize } from "./bm25";

describe("BM25", () => {
  it("tokenises by lowercased letter and digit runs", () => {
    expect(tokenize("Hello, World! It's 2024 — Café")).toEqual(["hello", "world", "it", "s", "2024", "café"]);
  });

  it("follows the textbook formula (k1 = 1.2, b = 0.75)", () => {
    const docs = ["apple banana", "banana banana cherry", "cherry date elderberry fig"];
    const s = createBm25(docs).scores("banana");
    const idf = Math.log(1 + (3 - 2 + 0.5) / (2 + 0.5));
    const avg = (2 + 3 + 4) / 3;
    const term = (f: number, len: number) => (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * len) / avg));
    expect(s[0]).toBeCloseTo(term(1, 2), 12);
    expect(s[1]).toBeCloseTo(term(2, 3), 12);
    expect(s[2]).toBe(0);
  });

  it("ranks rare words over common ones", () => {
    const docs = ["the cat sat", "the dog ran", "the lighthouse keeper", "the the the"];
    const s = createBm25(docs).scores("the lighthouse");
    expect(s.indexOf(Math.max(...s))).toBe(2);
  });
});

describe("baselines", () => {
  it("approximates tokens as characters / 4 (rounded up) + 4", () => {
    expect(approxTokens("")).toBe(4);
    expect(approxTokens("abcde")).toBe(6);
  });

  /** Messages of exactly `tokens` approximate tokens, each naming its index. */
  const msg = (i: number, tokens = 100) => `m${String(i).padStart(3, "0")} `.padEnd((tokens - 4) * 4, ".");

  it("recent window: the newest messages that fit the budget with the question, in order", () => {
    const history = Array.from({ length: 30 }, (_, i) => msg(i));
    const q = "q".repeat(4 * 8); // 12 tokens
    const prompt = recentWindow(history, q);
    // 1,792 − 12 = 1,780: seventeen 100-token messages.
    expect(prompt).toEqual([...history.slice(13), q]);
    expect(prompt.reduce((n, m) => n + approxTokens(m), 0)).toBeLessThanOrEqual(PROMPT_BUDGET);
    expect(recentWindow([], q)).toEqual([q]);
  });

  it("recent window stops at the first message that does not fit", () => {
    const history = [msg(0, 10), msg(1, 1100), msg(2, 700)];
    expect(recentWindow(history, "q")).toEqual([msg(2, 700), "q"]);
  });

  it("plain RAG: half for the newest, half for BM25's best older messages, within the budget", () => {
    const history = Array.from({ length: 40 }, (_, i) => msg(i));
    history[3] = `${msg(3, 60)} the lighthouse keeper`;
    history[7] = `${msg(7, 60)} a lighthouse`;
    history[38] = `${msg(38, 60)} lighthouse again`;
    const q = "Who was the lighthouse keeper?";
    const prompt = plainRag(history, q, createBm25(history));
    const room = PROMPT_BUDGET - approxTokens(q);
    const recent = prompt.slice(2, -1);
    expect(prompt.slice(0, 2)).toEqual([history[3], history[7]]);
    expect(recent).toEqual(history.slice(history.length - recent.length));
    expect(recent.reduce((n, m) => n + approxTokens(m), 0)).toBeLessThanOrEqual(Math.floor(room / 2));
    expect(prompt.at(-1)).toBe(q);
    expect(prompt.reduce((n, m) => n + approxTokens(m), 0)).toBeLessThanOrEqual(PROMPT_BUDGET);
  });

  it("plain RAG passes over a match too big for its half and takes the next", () => {
    const history = [`${"x".repeat(4000)} comet`, `${msg(1, 50)} comet tail`, ...Array.from({ length: 30 }, (_, i) => msg(i + 2))];
    const prompt = plainRag(history, "the comet", createBm25(history));
    expect(prompt).toContain(history[1]);
    expect(prompt).not.toContain(history[0]);
  });
});

import { describe, expect, it } from "vitest";
import { evidenceFound, evidenceInPrompt, tally } from "./score";

const line = "I adopted a cat named Pickle last spring. [shares a cat asleep on a windowsill]";

describe("evidence in prompt", () => {
  it("counts a line held whole inside any message", () => {
    expect(evidenceInPrompt(["system", `[1 May] Hi!\n${line}\nMore.`, "q"], [line])).toBe(true);
  });

  it("does not count a truncated, reworded or caption-less line", () => {
    expect(evidenceInPrompt([line.slice(0, 40)], [line])).toBe(false);
    expect(evidenceInPrompt([line.replace("Pickle", "Pickles")], [line])).toBe(false);
    expect(evidenceInPrompt(["I adopted a cat named Pickle last spring."], [line])).toBe(false);
  });

  it("needs every line, each whole in one message (not spread over two)", () => {
    const other = "Bo: see you soon";
    expect(evidenceInPrompt([line, other], [line, other])).toBe(true);
    expect(evidenceInPrompt([line], [line, other])).toBe(false);
    expect(evidenceFound([line], [line, other])).toBe(1);
    expect(evidenceInPrompt([line.slice(0, 30), line.slice(30)], [line])).toBe(false);
    expect(evidenceInPrompt([line], [])).toBe(false);
  });
});

describe("tally", () => {
  it("gives the share overall and per category", () => {
    const t = tally([
      { category: 1, hit: true },
      { category: 1, hit: false },
      { category: 2, hit: true },
      { category: 4, hit: false },
    ]);
    expect(t.overall).toEqual({ hits: 2, n: 4, rate: 0.5 });
    expect(t.byCategory[1]).toEqual({ hits: 1, n: 2, rate: 0.5 });
    expect(t.byCategory[2].rate).toBe(1);
    expect(t.byCategory[3].n).toBe(0);
    expect(t.byCategory[3].rate).toBeNaN();
    expect(t.byCategory[4].rate).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { lengthStatus } from "./limit";

describe("lengthStatus", () => {
  it("stays quiet for short text and estimates from characters before the tokenizer is there", () => {
    expect(lengthStatus(100, 100, null, 1000).show).toBe(false);
    expect(lengthStatus(2500, 2500, null, 1000)).toEqual({ show: true, over: false, label: "about 2,500 / 4,000 characters" });
  });

  it("counts exact tokens once known and says how far over the limit the text is", () => {
    expect(lengthStatus(4000, 4000, 900, 1000)).toEqual({ show: true, over: false, label: "900 / 1,000 tokens" });
    expect(lengthStatus(5000, 5000, 1200, 1000)).toEqual({
      show: true,
      over: true,
      label: "200 tokens over the limit of 1,000: shorten it to send.",
    });
  });

  it("refuses a body over 32 KiB whatever the token limit", () => {
    const s = lengthStatus(40_000, 40_000, null, null);
    expect(s.over).toBe(true);
    expect(s.label).toMatch(/40 KiB of at most 32 KiB/);
  });
});

import { describe, expect, it } from "vitest";
import { readUsage } from "./usage";

describe("readUsage", () => {
  const good = { day: "2026-11-27", usedTokens: 80, dailyTokens: 150, maxStreams: 1, resetsIn: 3600 };

  it("reads the gateway's answer", () => {
    expect(readUsage(good)).toEqual(good);
    expect(readUsage({ ...good, extra: true })).toEqual(good);
  });

  it("says nothing for anything else", () => {
    for (const bad of [null, "x", { ...good, day: "today" }, { ...good, usedTokens: -1 }, { ...good, dailyTokens: "150" }, { error: {} }]) {
      expect(readUsage(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_TRIGGERS, parseTriggers, pinnedFact } from "./pin-triggers";

describe("pinnedFact", () => {
  it("pins what follows a leading trigger", () => {
    expect(pinnedFact("Remember this: my sister is called Zelda.", DEFAULT_TRIGGERS)).toBe("my sister is called Zelda.");
    expect(pinnedFact("Don’t forget, I am allergic to peanuts", DEFAULT_TRIGGERS)).toBe("I am allergic to peanuts");
  });
  it("pins the whole message when the trigger is inside it", () => {
    expect(pinnedFact("My cat is Tom, you should remember that.", DEFAULT_TRIGGERS)).toBe("My cat is Tom, you should remember that.");
  });
  it("ignores ordinary messages", () => {
    expect(pinnedFact("What do you remember about the sea?", DEFAULT_TRIGGERS)).toBeNull();
  });
  it("takes a configured list", () => {
    const t = parseTriggers("memorize, pin it");
    expect(pinnedFact("memorize: the code is 42", t)).toBe("the code is 42");
    expect(pinnedFact("remember this: x", t)).toBeNull();
    expect(parseTriggers("")).toEqual(DEFAULT_TRIGGERS);
  });
});

import { describe, expect, it } from "vitest";
import type { StoredMessage } from "./types";
import { createHot, HOT_LIMIT, inPrompt, popWindow, pushWindow } from "./window";

const msg = (id: string, content: string): StoredMessage => ({
  id,
  chat: "main",
  role: "user",
  content,
  status: "complete",
  tokens: 1,
  clientId: null,
  parentId: null,
  active: true,
  createdAt: 0,
});
const pair = { userId: "u", characterId: "c", chat: "main" };
const id = (n: number) => `m${String(n).padStart(5, "0")}`;

describe("the hot window's vocabulary", () => {
  it("counts a word (by its stem) as a topic of the prompt once two of its messages use it", () => {
    const hot = createHot(
      pair,
      "s",
      { displayName: "", persona: "" },
      null,
      [msg(id(1), "lighthouse keeper"), msg(id(2), "the lighthouses")],
      "none",
    );
    expect(inPrompt(hot, "lighthous", id(1), id(9))).toBe(true);
    // Only one of them is in the prompt, or the other one is the new message itself.
    expect(inPrompt(hot, "lighthous", id(2), id(9))).toBe(false);
    expect(inPrompt(hot, "lighthous", id(1), id(2))).toBe(false);
    expect(inPrompt(hot, "keeper", id(1), id(9))).toBe(false);
  });

  it("forgets the words of messages that leave the window, at either end", () => {
    const hot = createHot(pair, "s", { displayName: "", persona: "" }, null, [], "none");
    pushWindow(hot, msg(id(1), "walrus"));
    pushWindow(hot, msg(id(2), "walrus again"));
    popWindow(hot);
    expect(hot.vocab.get("walru")).toEqual([id(1)]);
    for (let i = 2; i <= HOT_LIMIT + 1; i++) pushWindow(hot, msg(id(i), "filler words"));
    expect(hot.window).toHaveLength(HOT_LIMIT);
    expect(hot.vocab.has("walru")).toBe(false);
    expect(hot.vocab.get("filler")).toHaveLength(HOT_LIMIT);
  });

  it("knows once older messages exist beyond the window: recall then has somewhere to look", () => {
    const hot = createHot(pair, "s", { displayName: "", persona: "" }, null, [], "some", false);
    for (let i = 1; i <= HOT_LIMIT; i++) pushWindow(hot, msg(id(i), "filler words"));
    expect(hot.beyond).toBe(false);
    pushWindow(hot, msg(id(HOT_LIMIT + 1), "one more"));
    expect(hot.beyond).toBe(true);
  });
});

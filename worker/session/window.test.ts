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

  it("forgets the words of messages that leave the window, at either end, whether it was asked before or after", () => {
    for (const askedFirst of [true, false]) {
      const hot = createHot(pair, "s", { displayName: "", persona: "" }, null, [], "none");
      const topic = (stem: string) => inPrompt(hot, stem, id(0), id(99999));
      if (askedFirst) expect(topic("walru")).toBe(false);
      pushWindow(hot, msg(id(1), "walrus"));
      pushWindow(hot, msg(id(2), "walrus again"));
      popWindow(hot);
      pushWindow(hot, msg(id(2), "no tusks here"));
      expect(topic("walru"), `asked first: ${askedFirst}`).toBe(false); // one message left uses it
      pushWindow(hot, msg(id(3), "a walrus"));
      expect(topic("walru"), `asked first: ${askedFirst}`).toBe(true);
      for (let i = 4; i <= HOT_LIMIT + 3; i++) pushWindow(hot, msg(id(i), "filler words"));
      expect(hot.window).toHaveLength(HOT_LIMIT);
      expect(topic("walru"), `asked first: ${askedFirst}`).toBe(false); // both left the window
      expect(topic("filler")).toBe(true);
    }
  });

  it("knows once older messages exist beyond the window: recall then has somewhere to look", () => {
    const hot = createHot(pair, "s", { displayName: "", persona: "" }, null, [], "some", false);
    for (let i = 1; i <= HOT_LIMIT; i++) pushWindow(hot, msg(id(i), "filler words"));
    expect(hot.beyond).toBe(false);
    pushWindow(hot, msg(id(HOT_LIMIT + 1), "one more"));
    expect(hot.beyond).toBe(true);
  });
});

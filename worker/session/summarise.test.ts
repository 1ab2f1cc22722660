import { describe, expect, it } from "vitest";
import { turnsToFold } from "./summarise";
import type { StoredMessage } from "./types";

const m = (id: string, tokens = 10): StoredMessage => ({
  id,
  chat: "main",
  role: "user",
  content: id,
  status: "complete",
  tokens,
  clientId: null,
  parentId: null,
  active: true,
  createdAt: 0,
});
const window = ["a1", "a2", "a3", "a4", "a5"].map((id) => m(id));

describe("turnsToFold", () => {
  it("takes the turns dropped from the prompt, oldest first", () => {
    expect(turnsToFold(window, new Set(["a3", "a1", "a2"]), null, 100).map((t) => t.id)).toEqual(["a1", "a2", "a3"]);
  });

  it("skips what the previous summary already folded", () => {
    const previous = { version: 1, content: "s", tokens: 1, uptoId: "a2", createdAt: 0 };
    expect(turnsToFold(window, new Set(["a1", "a2", "a3"]), previous, 100).map((t) => t.id)).toEqual(["a3"]);
  });

  it("stops at the token limit without skipping ahead (the summary stays in order)", () => {
    const sized = [m("b1", 30), m("b2", 50), m("b3", 5)];
    expect(turnsToFold(sized, new Set(["b1", "b2", "b3"]), null, 60).map((t) => t.id)).toEqual(["b1"]);
  });

  it("is empty when nothing was dropped", () => {
    expect(turnsToFold(window, new Set(), null, 100)).toEqual([]);
  });
});

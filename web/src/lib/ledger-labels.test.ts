import { describe, expect, it } from "vitest";
import type { Memory, Message } from "../../../worker/shared/wire";
import { describeEntry, describeExcluded, sourceName } from "./ledger-labels";

const message = (id: string, role: Message["role"], content: string): Message => ({
  id,
  role,
  content,
  status: "complete",
  createdAt: "2026-01-01T00:00:00Z",
});
const memory: Memory = {
  id: "0190-mem",
  scope: "chat",
  content: "My sister is called Ana.",
  sourceMessageId: null,
  createdAt: "",
  updatedAt: "",
};
const ctx = { messages: [message("m1", "user", "Hello there"), message("m2", "assistant", "Hi!")], memories: [memory], charName: "Mira" };

describe("the ledger in words", () => {
  it("shows memories, messages, the sheet and the summary as what they are, never as ids", () => {
    expect(describeEntry({ id: "0190-mem", source: "memories" }, ctx)).toEqual({ kind: "Pinned memory", text: "My sister is called Ana." });
    expect(describeEntry({ id: "m1", source: "recent" }, ctx)).toEqual({ kind: "Recent message", text: "You: Hello there" });
    expect(describeEntry({ id: "m2", source: "recall" }, ctx)).toEqual({ kind: "Recalled from earlier", text: "Mira: Hi!" });
    expect(describeEntry({ id: "system", source: "system" }, ctx).text).toBe("Mira's description, scenario and your persona");
    expect(describeEntry({ id: "summary:v2", source: "summary" }, ctx)).toEqual({
      kind: "Summary",
      text: "What happened earlier, in brief (version 2)",
    });
    expect(describeEntry({ id: "gone", source: "memories" }, ctx).text).toBe("A memory since deleted");
    expect(describeEntry({ id: "old", source: "recent" }, ctx).text).toBe("An older message (not loaded on this page)");
  });

  it("says why something was left out", () => {
    expect(describeExcluded({ id: "m1", reason: "over_budget" }, ctx)).toEqual({ kind: "did not fit", text: "You: Hello there" });
    expect(describeExcluded({ id: "lore:7", reason: "lore_before_share_full" }, ctx).kind).toBe("the lorebook share was full");
    expect(sourceName("something_new")).toBe("Something new");
  });
});

import { describe, expect, it } from "vitest";
import { markedParts } from "./snippet-marks";

describe("markedParts", () => {
  it("splits a snippet into plain and marked words", () => {
    expect(markedParts("the «cargo» bay and «cargo»!")).toEqual([
      { text: "the ", mark: false },
      { text: "cargo", mark: true },
      { text: " bay and ", mark: false },
      { text: "cargo", mark: true },
      { text: "!", mark: false },
    ]);
  });
  it("keeps text without marks, and markup as plain text", () => {
    expect(markedParts("<b>no</b> marks")).toEqual([{ text: "<b>no</b> marks", mark: false }]);
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { text, textProblem } from "./text";

describe("textProblem", () => {
  it("accepts any well-formed text, 4-byte emoji and RTL overrides included", () => {
    for (const s of ["", "plain", "héllo wörld", "😀👩‍👩‍👧", "\u202eevil\u202c", "a\u200bb", "\ufffd"]) expect(textProblem(s)).toBeNull();
  });

  it("refuses U+0000 anywhere", () => {
    for (const s of ["\u0000", "a\u0000b", "trailing\u0000"]) expect(textProblem(s)).toMatch(/U\+0000/);
  });

  it("refuses an unpaired surrogate, high or low, at any position", () => {
    for (const s of ["\ud800", "a\ud83d", "\ude00b", "\ude00\ud83d", "😀\ud83d"]) expect(textProblem(s)).toMatch(/surrogate/);
  });
});

describe("text()", () => {
  const schema = z.object({ name: text().trim().min(1).max(5) });

  it("chains like z.string(): trims, then checks the bounds", () => {
    expect(schema.parse({ name: "  ab  " })).toEqual({ name: "ab" });
    expect(schema.safeParse({ name: "   " }).success).toBe(false);
    expect(schema.safeParse({ name: "abcdef" }).success).toBe(false);
  });

  it("names the field whose text cannot be stored", () => {
    const issue = schema.safeParse({ name: "a\u0000" }).error?.issues[0];
    expect(issue?.path).toEqual(["name"]);
    expect(issue?.message).toMatch(/U\+0000/);
  });
});

import { describe, expect, it } from "vitest";
import { lastUserText, legacyRequest, readLegacyRequest, readLegacyResponse } from "./legacy";

describe("the legacy contract", () => {
  const chat = [
    { role: "system", content: "You are Ada." },
    { role: "user", content: "first" },
    { role: "assistant", content: "hi" },
    {
      role: "user",
      content: [
        { type: "text", text: "second" },
        { type: "image_url", image_url: { url: "x" } },
        { type: "text", text: "part" },
      ],
    },
  ];

  it("sends only the last user message, text parts joined, with the character", () => {
    expect(lastUserText(chat)).toBe("second\npart");
    expect(legacyRequest(chat, "c-42")).toEqual({ message: "second\npart", character_id: "c-42" });
    expect(legacyRequest([{ role: "system", content: "only" }], "c")).toEqual({ message: "", character_id: "c" });
  });

  it("reads a request as the server side does", () => {
    expect(readLegacyRequest({ message: "hi", character_id: 7 })).toEqual({ message: "hi", character_id: "7" });
    expect(readLegacyRequest({ message: "hi" })).toEqual({ message: "hi", character_id: "" });
    for (const bad of [null, "hi", { msg: "hi" }, { message: 1 }]) expect(readLegacyRequest(bad)).toBeNull();
  });

  it("reads the reply, and nothing that is not a string", () => {
    expect(readLegacyResponse({ response: "Hello" })).toBe("Hello");
    expect(readLegacyResponse({ response: "" })).toBe("");
    for (const bad of [null, [], { response: 1 }, { text: "x" }]) expect(readLegacyResponse(bad)).toBeUndefined();
  });
});

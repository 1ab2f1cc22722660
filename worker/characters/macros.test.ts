import { describe, expect, it } from "vitest";
import { applyMacros, macroNames, replaceOriginal } from "./macros";

const names = { char: "Vela", user: "Sam" };

describe("applyMacros", () => {
  it("fills {{char}} and {{user}} in any case and with inner spaces", () => {
    expect(applyMacros("{{char}} greets {{user}}; {{Char}} and {{USER}}; {{ char }}", names)).toBe("Vela greets Sam; Vela and Sam; Vela");
  });

  it("fills the legacy <BOT>, <CHAR>, <USER> and {{charIfNotGroup}}", () => {
    expect(applyMacros("<BOT> waves at <USER>. <CHAR>/<bot>. {{charIfNotGroup}}", names)).toBe("Vela waves at Sam. Vela/Vela. Vela");
  });

  it("leaves unknown macros and look-alikes alone", () => {
    expect(applyMacros("{{random:a,b}} {{chars}} <B0T> {user} <div>", names)).toBe("{{random:a,b}} {{chars}} <B0T> {user} <div>");
  });

  it("does not substitute inside a substituted name", () => {
    expect(applyMacros("{{user}} meets {{char}}", { char: "{{user}}", user: "<BOT>" })).toBe("<BOT> meets {{user}}");
  });

  it("names a user without a display name User, as SillyTavern does", () => {
    expect(macroNames("Vela", "")).toEqual({ char: "Vela", user: "User" });
    expect(macroNames("Vela", "  Sam ")).toEqual({ char: "Vela", user: "Sam" });
  });
});

describe("replaceOriginal", () => {
  it("keeps ours when the card's text is empty, replaces it otherwise, and {{original}} brings it back", () => {
    expect(replaceOriginal("", "Ours.")).toBe("Ours.");
    expect(replaceOriginal("  \n", "Ours.")).toBe("Ours.");
    expect(replaceOriginal("Theirs.", "Ours.")).toBe("Theirs.");
    expect(replaceOriginal("{{original}} And theirs. {{ORIGINAL}}", "Ours.")).toBe("Ours. And theirs. Ours.");
  });

  it("keeps a $ in our text literally", () => {
    expect(replaceOriginal("{{original}}!", "costs $& $1")).toBe("costs $& $1!");
  });
});

import { describe, expect, it } from "vitest";
import { promptTokens } from "../shared/tokens";
import { buildPrompt, type CountedMessage } from "./prompt";
import { countTokens } from "./tokens";

const msg = (id: string, role: "user" | "assistant", content: string): CountedMessage => ({
  id,
  role,
  content,
  tokens: countTokens(content),
});
const system = (text: string) => [{ name: "system", text, tokens: countTokens(text) }];

describe("buildPrompt", () => {
  const history = Array.from({ length: 40 }, (_, i) => msg(`m${i}`, i % 2 ? "assistant" : "user", `message number ${i} with a few words`));
  const newMessage = msg("new", "user", "and now?");

  it("orders system, history, new message and keeps the newest turns that fit", () => {
    const p = buildPrompt({ system: system("You are Bob."), history, newMessage, budget: 120 });
    expect(p.messages[0]).toEqual({ role: "system", content: "You are Bob." });
    expect(p.messages.at(-1)).toEqual({ role: "user", content: "and now?" });
    expect(p.messages.at(-2)?.content).toBe("message number 39 with a few words");
    expect(p.tokens).toBeLessThanOrEqual(120);
    const kept = p.messages.length - 2;
    expect(p.ledger.excluded).toHaveLength(40 - kept);
    expect(p.ledger.excluded[0].id).toBe(`m${39 - kept}`);
  });

  it("counts exactly what it sends", () => {
    const p = buildPrompt({ system: system("sys"), history, newMessage, budget: 10_000 });
    const expected = promptTokens(p.messages, countTokens);
    expect(p.tokens).toBe(expected);
    expect(p.ledger.excluded).toHaveLength(0);
  });

  it("never exceeds any budget, and drops a turn rather than a later one", () => {
    for (let budget = 20; budget < 400; budget += 7) {
      const p = buildPrompt({ system: system("You are Bob."), history, newMessage, budget });
      if (p.messages.length > 2) expect(p.tokens).toBeLessThanOrEqual(budget);
      const ids = p.ledger.included.filter((i) => i.source === "recent").map((i) => Number(i.id.slice(1)));
      if (ids.length) expect(ids.at(-1)).toBe(39);
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1] + 1);
    }
  });
});

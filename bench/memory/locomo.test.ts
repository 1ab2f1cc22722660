import { describe, expect, it } from "vitest";
import { type Conversation, evidenceIds, lineText, parseConversation, questionsOf, replayTurns } from "./locomo";

/** A tiny conversation in LoCoMo's shape, written for these tests. */
const raw = {
  speaker_a: "Ana",
  speaker_b: "Bo",
  session_2_date_time: "9:00 am on 2 March, 2024",
  session_2: [
    { speaker: "Ana", dia_id: "D2:1", text: "Back again." },
    { speaker: "Ana", dia_id: "D2:2", text: "Look at this.", blip_caption: "a red kite" },
    { speaker: "Bo", dia_id: "D2:3", text: "Lovely kite!" },
    { speaker: "Ana", dia_id: "D2:4", text: "Bye for now." },
  ],
  session_1_date_time: "8:00 pm on 1 March, 2024",
  session_1: [
    { speaker: "Bo", dia_id: "D1:1", text: "Evening!" },
    { speaker: "Bo", dia_id: "D1:2", text: "How was the day?" },
    { speaker: "Ana", dia_id: "D1:3", text: "Long." },
    { speaker: "Bo", dia_id: "D1:4", text: "Rest, then." },
  ],
  session_3_date_time: "a session with a date but no lines",
  qa: [
    { question: "q single", answer: "a", evidence: ["D2:2"], category: 4 },
    { question: "q multi", answer: "a", evidence: ["D1:2; D2:3", "D:2:4"], category: 1 },
    { question: "q adversarial", adversarial_answer: "a", evidence: ["D1:1"], category: 5 },
    { question: "q nothing", answer: "a", evidence: [], category: 3 },
    { question: "q half", answer: "a", evidence: ["D9:9", "D1:3"], category: 2 },
  ],
};
const conv: Conversation = parseConversation("conv-t", raw);

describe("LoCoMo replay turns", () => {
  it("orders sessions by number and skips dates without a session", () => {
    expect(conv.sessions.map((s) => s.n)).toEqual([1, 2]);
  });

  it("groups lines into turns with the date prefix, (listens), captions, and no reply for a trailing user run", () => {
    expect(replayTurns(conv)).toEqual([
      { user: "[8:00 pm on 1 March, 2024] (listens)", reply: "Evening!\nHow was the day?" },
      { user: "Long.", reply: "Rest, then." },
      { user: "[9:00 am on 2 March, 2024] Back again.\nLook at this. [shares a red kite]", reply: "Lovely kite!" },
      { user: "Bye for now.", reply: null },
    ]);
  });

  it("refuses a line by a third speaker", () => {
    const bad = parseConversation("bad", { ...raw, session_1: [{ speaker: "Cy", dia_id: "D1:1", text: "hi" }] });
    expect(() => replayTurns(bad)).toThrow(/neither speaker/);
  });

  it("refuses files of another shape", () => {
    expect(() => parseConversation("x", { qa: [] })).toThrow(/not a LoCoMo conversation/);
  });
});

describe("LoCoMo questions", () => {
  it("normalises evidence ids", () => {
    expect(evidenceIds(["D8:6; D9:17", "D:11:26", "D1:2", "D1:2", "D"])).toEqual(["D8:6", "D9:17", "D11:26", "D1:2", "D"]);
  });

  it("keeps categories 1–4, resolves evidence to full line texts, drops unknown ids, skips questions without evidence", () => {
    const { questions, skipped } = questionsOf(conv);
    expect(questions.map((q) => [q.index, q.category, q.evidence, q.unresolved])).toEqual([
      [0, 4, ["Look at this. [shares a red kite]"], []],
      [1, 1, ["How was the day?", "Lovely kite!", "Bye for now."], []],
      [4, 2, ["Long."], ["D9:9"]],
    ]);
    expect(skipped).toEqual([3]);
    expect(lineText({ speaker: "Ana", dia_id: "x", text: "plain" })).toBe("plain");
  });
});

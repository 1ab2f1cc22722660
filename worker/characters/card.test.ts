import { describe, expect, it } from "vitest";
import type { Character } from "../shared/wire";
import { cardSchema, fromCard, toCard } from "./card";

/** A SillyTavern-style card with fields we model, fields we do not, and a third party's extension. */
const sourceCard = {
  spec: "chara_card_v2",
  spec_version: "2.0",
  data: {
    name: "Captain Vela",
    description: "A starship captain who speaks in nautical metaphors.",
    personality: "Bold, wry, protective of her crew.",
    scenario: "The bridge of the Meridian, mid-voyage.",
    first_mes: "Welcome aboard, sailor.",
    mes_example: "<START>\n{{user}}: Where are we?\n{{char}}: Off the charts, as usual.",
    creator_notes: "Space captain with a heart of gold\nSecond line of notes.",
    alternate_greetings: ["Ahoy!", "Report, crew member."],
    tags: ["sci-fi", "captain"],
    creator: "someone",
    character_version: "1.2",
    system_prompt: "Stay in character.",
    post_history_instructions: "Keep replies short.",
    extensions: { x_custom: { a: 1 }, depth_prompt: { depth: 4, prompt: "Be nautical." } },
  },
};

/** The character a stored import becomes, as the API would show it. */
function characterOf(imported: ReturnType<typeof fromCard>, over: Partial<Character> = {}): Character {
  const { card: _kept, ...fields } = imported;
  return {
    id: "0190a0a0-0000-7000-8000-000000000001",
    creatorId: "0190a0a0-0000-7000-8000-000000000002",
    visibility: "private",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...fields,
    ...over,
  };
}

describe("fromCard", () => {
  it("maps the card's fields onto a character", () => {
    const imported = fromCard(cardSchema.parse(sourceCard));
    expect(imported).toMatchObject({
      name: "Captain Vela",
      description: sourceCard.data.description,
      greeting: sourceCard.data.first_mes,
      scenario: sourceCard.data.scenario,
      exampleDialogues: sourceCard.data.mes_example,
      tagline: "Space captain with a heart of gold",
    });
  });

  it("keeps the fields it does not model", () => {
    const { card } = fromCard(cardSchema.parse(sourceCard));
    expect(card).toMatchObject({
      personality: sourceCard.data.personality,
      alternate_greetings: sourceCard.data.alternate_greetings,
      tags: sourceCard.data.tags,
      extensions: sourceCard.data.extensions,
    });
  });

  it("rejects a card of another spec or without a name", () => {
    expect(cardSchema.safeParse({ ...sourceCard, spec: "chara_card_v3" }).success).toBe(false);
    expect(cardSchema.safeParse({ spec: "chara_card_v2", data: { description: "no name" } }).success).toBe(false);
  });
});

describe("toCard after fromCard", () => {
  it("round-trips the whole card unchanged", () => {
    const imported = fromCard(cardSchema.parse(sourceCard));
    expect(toCard(characterOf(imported), imported.card)).toEqual(sourceCard);
  });

  it("exports the character's current fields while keeping what it does not model", () => {
    const imported = fromCard(cardSchema.parse(sourceCard));
    const edited = characterOf(imported, {
      name: "Admiral Vela",
      greeting: "At ease.",
      description: "Promoted.",
      scenario: "Fleet HQ.",
      exampleDialogues: "<START>",
    });
    const card = toCard(edited, imported.card);
    expect(card.spec).toBe("chara_card_v2");
    expect(card.data).toMatchObject({
      name: "Admiral Vela",
      first_mes: "At ease.",
      description: "Promoted.",
      scenario: "Fleet HQ.",
      mes_example: "<START>",
      personality: sourceCard.data.personality,
      alternate_greetings: sourceCard.data.alternate_greetings,
      tags: sourceCard.data.tags,
      extensions: { x_custom: { a: 1 }, depth_prompt: { depth: 4, prompt: "Be nautical." } },
    });
  });

  it("exports a character that never was a card as a complete V2 card", () => {
    const card = toCard(
      characterOf({ name: "Plain", tagline: "", description: "d", greeting: "g", scenario: "", exampleDialogues: "", card: {} }),
      {},
    );
    expect(cardSchema.safeParse(card).success).toBe(true);
    expect(card).toMatchObject({ spec: "chara_card_v2", spec_version: "2.0" });
    expect(card.data).toMatchObject({ name: "Plain", first_mes: "g", alternate_greetings: [], tags: [], extensions: {} });
  });
});

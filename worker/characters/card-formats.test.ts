import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCardText, parseCardValue } from "./card-parse";
import { exportCards, readStored, storeCard } from "./card-store";
import { readPngCard, writePngCard } from "./png-card";

const corpus = (name: string) => readFileSync(`test/cards/${name}`);
const text = (name: string) => corpus(name).toString("utf8");
const parse = (name: string) => {
  const r = parseCardText(text(name));
  if (!r.ok) throw new Error(r.problem.message);
  return r.card;
};

describe("reading cards", () => {
  it("reads a V1 card, keeping its unknown top-level fields", () => {
    const card = parse("v1-bram.json");
    expect(card.source).toBe("v1");
    expect(card.data).toMatchObject({ name: "Bram", personality: "gruff, kind underneath, superstitious", tags: ["Fantasy", "River"] });
    expect(card.envelope).toEqual({ avatar: "none", talkativeness: "0.4", create_date: "2024-1-1 @10h 00m 00s 000ms" });
  });

  it("reads V2 and V3 cards, V3's own fields and unknown top-level fields included", () => {
    expect(parse("v2-vela.json")).toMatchObject({ source: "chara_card_v2", specVersion: "2.0", envelope: {} });
    const v3 = parse("v3-nyx.json");
    expect(v3.source).toBe("chara_card_v3");
    expect(v3.data).toMatchObject({
      nickname: "the Cartographer",
      group_only_greetings: ["Everyone, lanterns up."],
      source: ["corpus://nyx"],
    });
    expect(v3.envelope).toEqual({ x_envelope_note: "unknown top-level fields survive" });
  });

  it.each([
    ["malformed-not-json.json", "invalid_json", undefined],
    ["malformed-nested.json", "invalid_card", undefined],
    ["malformed-nul.json", "invalid_input", "data.description"],
    ["oversized-field.json", "invalid_input", "data.description"],
  ])("refuses %s with %s", (name, code, field) => {
    const r = parseCardText(text(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatchObject(field ? { code, field } : { code });
  });

  it("refuses another spec, a card without a name, and a non-object", () => {
    expect(parseCardValue({ spec: "chara_card_v1", data: { name: "x" } })).toMatchObject({ ok: false, problem: { field: "spec" } });
    expect(parseCardValue({ spec: "chara_card_v2", data: { name: " " } })).toMatchObject({ ok: false, problem: { field: "data.name" } });
    expect(parseCardValue([1])).toMatchObject({ ok: false, problem: { code: "invalid_card" } });
    expect(parseCardValue({ description: "no name" })).toMatchObject({ ok: false, problem: { field: "name" } });
  });

  it("refuses a lorebook entry whose keys are not a list of strings, naming it", () => {
    const r = parseCardValue({ spec: "chara_card_v2", data: { name: "x", character_book: { entries: [{ keys: "a,b", content: "" }] } } });
    expect(r).toMatchObject({ ok: false, problem: { code: "invalid_input", field: "data.character_book.entries.0.keys" } });
  });
});

describe("PNG cards", () => {
  it("reads the chara chunk", () => {
    const r = readPngCard(corpus("png-chara.png"));
    expect(r).toMatchObject({ ok: true, keyword: "chara" });
    if (r.ok) expect(JSON.parse(r.json).data.name).toBe("Mossback");
  });

  it("reads the ccv3 chunk, and prefers it when both are there", () => {
    const only = readPngCard(corpus("png-ccv3.png"));
    expect(only.ok && JSON.parse(only.json).data.name).toBe("Quill");
    const both = readPngCard(corpus("png-both.png"));
    expect(both).toMatchObject({ ok: true, keyword: "ccv3" });
    expect(both.ok && JSON.parse(both.json).data.name).toBe("Ember");
  });

  it.each([
    ["malformed-bad-base64.png", /not base64/],
    ["malformed-truncated.png", /truncated/],
    ["malformed-crc.png", /checksum/],
    ["malformed-no-card.png", /no character card/],
  ])("refuses %s", (name, message) => {
    const r = readPngCard(corpus(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it("refuses a chunk that declares more bytes than the file has, without allocating them", () => {
    const png = Buffer.from(corpus("png-chara.png"));
    png.writeUInt32BE(0x7fffffff, 33);
    expect(readPngCard(png)).toMatchObject({ ok: false, message: "The PNG is truncated." });
  });

  it("writes both chunks and reads back V3, with non-ASCII text intact", () => {
    const v2 = { spec: "chara_card_v2", data: { name: "Zoë — 火" } };
    const v3 = { spec: "chara_card_v3", data: { name: "Zoë — 火 (v3)" } };
    const png = writePngCard(corpus("malformed-no-card.png"), v2, v3);
    const r = readPngCard(png);
    expect(r.ok && JSON.parse(r.json)).toEqual(v3);
    // A card written over a card replaces it rather than adding a second pair.
    const again = writePngCard(png, { ...v2, data: { name: "B" } }, { ...v3, data: { name: "C" } });
    const text = Buffer.from(again).toString("latin1");
    expect(text.split("tEXtchara").length - 1).toBe(1);
    expect(text.split("tEXtccv3").length - 1).toBe(1);
  });
});

describe("round trips", () => {
  it.each(["v1-bram.json", "v2-vela.json", "v3-nyx.json", "lorebook-heavy.json", "macro-heavy.json"])(
    "%s: export, import again, export again: nothing lost",
    (name) => {
      const source = JSON.parse(text(name));
      const first = storeCard(parse(name));
      const out = exportCards(first.fields, JSON.parse(JSON.stringify(first.card)));
      const again = parseCardValue(out.source === "chara_card_v3" ? out.v3 : out.v2);
      if (!again.ok) throw new Error(again.problem.message);
      const second = storeCard(again.card);
      expect(second.fields).toEqual(first.fields);
      const out2 = exportCards(second.fields, second.card);
      expect([out2.v2, out2.v3]).toEqual([out.v2, out.v3]);
      // Every field of the source data (V2/V3) survives with its value.
      const data = source.data ?? source;
      const exported = (out.source === "chara_card_v3" ? out.v3 : out.v2).data as Record<string, unknown>;
      for (const [k, v] of Object.entries(data))
        if (!["avatar", "talkativeness", "create_date"].includes(k)) expect(exported[k]).toEqual(v);
    },
  );

  it("exports V1 as V2 and V3, its unknown fields at the top level", () => {
    const { fields, card } = storeCard(parse("v1-bram.json"));
    const out = exportCards(fields, card);
    expect(out.source).toBe("v1");
    expect(out.v2).toMatchObject({ spec: "chara_card_v2", spec_version: "2.0", avatar: "none", talkativeness: "0.4" });
    expect(out.v3).toMatchObject({ spec: "chara_card_v3", spec_version: "3.0", data: { group_only_greetings: [] } });
  });

  it("exports the character's edits, keeps imported notes and tags unless they were changed, and refreshes top-level V1 copies", () => {
    const withMirror = { ...JSON.parse(text("v2-vela.json")), name: "Captain Vela", first_mes: "old" };
    const r = parseCardValue(withMirror);
    if (!r.ok) throw new Error("parse");
    const { fields, card } = storeCard(r.card);
    expect(fields).toMatchObject({ tagline: "Space captain with a heart of gold", tags: ["sci-fi", "captain"] });
    const same = exportCards(fields, card).v2 as { data: Record<string, unknown>; name: string };
    expect(same.data.creator_notes).toBe("Space captain with a heart of gold\nSecond line of notes.");
    expect(same.data.tags).toEqual(["Sci-Fi", "captain"]);
    const edited = exportCards({ ...fields, name: "Admiral Vela", greeting: "At ease.", tagline: "Promoted", tags: ["navy"] }, card).v2 as {
      data: Record<string, unknown>;
      name: string;
      first_mes: string;
    };
    expect(edited.data).toMatchObject({ name: "Admiral Vela", first_mes: "At ease.", creator_notes: "Promoted", tags: ["navy"] });
    expect(edited.name).toBe("Admiral Vela");
    expect(edited.first_mes).toBe("At ease.");
  });

  it("reads rows stored before V3 support (V2 data kept flat)", () => {
    const stored = readStored({ personality: "p", alternate_greetings: ["a"], spec_version: "2.0", extensions: { x: 1 } });
    expect(stored).toEqual({
      v: 2,
      spec: "chara_card_v2",
      spec_version: "2.0",
      data: { personality: "p", alternate_greetings: ["a"], extensions: { x: 1 } },
      envelope: {},
    });
  });
});

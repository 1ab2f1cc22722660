import { describe, expect, it } from "vitest";
import { LEXICAL_DEFAULTS, lexicalRetriever } from "./lexical";
import { type MemoryTurn, memoryIndex } from "./memory-index";

const day = Date.UTC(2024, 0, 1);
function conversation(lines: string[]): MemoryTurn[] {
  return lines.map((content, i) => ({
    id: `m${String(i).padStart(4, "0")}`,
    role: i % 2 === 0 ? "user" : "assistant",
    content,
    tokens: Math.ceil(content.length / 4),
    createdAt: day + i * 60_000,
  }));
}
const filler = (n: number) =>
  Array.from({ length: n }, (_, i) => (i % 2 === 0 ? `how was the weather on day ${i}` : "the weather was windy and grey"));
const ask = (content: string, before = "m9999") => ({
  message: { id: "q", role: "user" as const, content },
  context: [],
  before,
  limit: 10,
});

describe("the lexical retriever", () => {
  const turns = conversation([
    "[3 March 2024] We finally painted the boat",
    "Which colour did you choose?",
    ...filler(20),
    "My sister Zelda moved away",
    "Where to?",
    "Zelda lives in Lisbon now, near the river",
    "Lovely city",
    ...filler(20),
  ]);
  const index = memoryIndex(turns);

  it("finds a turn by a different inflection of its words, with the reply to it and its date", async () => {
    const got = await lexicalRetriever(index).recall(ask("What was I painting back then?"));
    expect(got[0]).toMatchObject({ id: "m0000", via: "match", matched: ["painting"], date: "3 March 2024" });
    expect(got[1]).toMatchObject({ id: "m0001", via: "near", matched: [], group: "m0001" });
    expect(got[1].score).toBeLessThan(got[0].score);
  });

  it("carries the date of the session a turn belongs to", async () => {
    const got = await lexicalRetriever(index).recall(ask("the colour we chose"));
    expect(got.find((t) => t.id === "m0001")?.date).toBe("3 March 2024");
  });

  it("reaches a turn through a name found in the first hits (second hop)", async () => {
    // Turns near the hit are left out here, or the Lisbon line would come as the hit's neighbour (two turns on).
    const apart = { ...LEXICAL_DEFAULTS, near: { ...LEXICAL_DEFAULTS.near, reach: 0 } };
    const got = await lexicalRetriever(index, apart).recall(ask("Where did my sister move?"));
    const lisbon = got.find((t) => t.content.includes("Lisbon"));
    expect(lisbon).toMatchObject({ hop: 2, matched: ["zelda"] });
    const alone = { ...apart, hopWeight: 0 };
    expect((await lexicalRetriever(index, alone).recall(ask("Where did my sister move?"))).some((t) => t.content.includes("Lisbon"))).toBe(
      false,
    );
  });

  it("brings the answer to a matching question before a turn that merely follows it", async () => {
    const chat = memoryIndex(
      conversation([...filler(10), "Did you ever finish the tapestry?", "Yes, it hangs in the hall now", "Nice", "Thanks", ...filler(10)]),
    );
    const got = await lexicalRetriever(chat).recall(ask("Where is the tapestry?"));
    expect(got.map((t) => t.content).slice(0, 2)).toEqual(["Did you ever finish the tapestry?", "Yes, it hangs in the hall now"]);
    expect(got[1]).toMatchObject({ via: "near", hop: 1 });
  });

  it("never returns turns at or after `before` (the window holds them)", async () => {
    const got = await lexicalRetriever(index).recall(ask("painted boat", "m0001"));
    expect(got.map((t) => t.id)).toEqual(["m0000"]);
  });

  it("leaves out turns that match only words used everywhere", async () => {
    const got = await lexicalRetriever(index).recall(ask("the weather and the boat"));
    // The boat line and the turns said just after it (as far as the reach); none of the weather talk further on.
    const reach = LEXICAL_DEFAULTS.near.reach;
    expect(got.map((t) => t.id)).toEqual(turns.slice(0, reach + 1).map((t) => t.id));
  });

  it("finds nothing when nothing matches", async () => {
    expect(await lexicalRetriever(index).recall(ask("quantum chromodynamics"))).toEqual([]);
  });
});

/**
 * The exact prompt each card of the corpus (test/cards/) produces on its
 * first turn and on a turn that triggers its lorebook. Every expected text
 * below is written by hand from the card and the rules (SillyTavern's
 * default Chat Completion order; Card V2/V3: `system_prompt` replaces our
 * main prompt, `{{original}}` keeps it; `post_history_instructions` after
 * the history), not copied from the code's output.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCardText } from "../characters/card-parse";
import { storeCard } from "../characters/card-store";
import { type CharacterDefinition, definitionOf, greetingsOf } from "../characters/definition";
import { macroNames } from "../characters/macros";
import { readPngCard } from "../characters/png-card";
import { characterPromptParts, prepareCharacter } from "./character-prompt";
import { buildPrompt } from "./prompt";
import { countTokens } from "./tokens";

const BUDGET = 7680;
const sam = { name: "Sam", persona: "" };

/** A corpus card read the way an import stores it, and the definition a session would build from the row. */
function definition(file: string): CharacterDefinition {
  const bytes = readFileSync(`test/cards/${file}`);
  const png = file.endsWith(".png") ? readPngCard(bytes) : null;
  if (png && !png.ok) throw new Error(png.message);
  const parsed = parseCardText(png?.ok ? png.json : bytes.toString("utf8"));
  if (!parsed.ok) throw new Error(parsed.problem.message);
  const { fields, card } = storeCard(parsed.card);
  return definitionOf(fields, JSON.parse(JSON.stringify(card)));
}

type Msg = { role: string; content: string };
const S = (content: string): Msg => ({ role: "system", content });
const A = (content: string): Msg => ({ role: "assistant", content });
const U = (content: string): Msg => ({ role: "user", content });

/** The messages the LLM receives: buildPrompt with the character's sections, then the post-history instructions. */
function promptFor(def: CharacterDefinition, user: { name: string; persona: string }, history: Msg[], newMessage: string) {
  const parts = characterPromptParts(prepareCharacter(def, user), {
    history: history as { role: "user" | "assistant"; content: string }[],
    newMessage,
    budget: BUDGET,
    reserve: 256,
  });
  const counted = history.map((m, i) => ({
    id: `h${i}`,
    role: m.role as "user" | "assistant",
    content: m.content,
    tokens: countTokens(m.content),
  }));
  const built = buildPrompt({
    system: parts.system,
    history: counted,
    newMessage: { id: "new", role: "user", content: newMessage, tokens: countTokens(newMessage) },
    budget: BUDGET,
  });
  const messages: Msg[] = [...built.messages, ...(parts.postHistory ? [S(parts.postHistory.text)] : [])];
  return { messages, lore: parts.lore };
}

describe("V1: Bram", () => {
  const def = definition("v1-bram.json");
  const system = S(
    [
      "You are Bram, talking with Sam. Stay in character and reply as Bram would, in the first person.",
      "Bram is the old ferryman of the Grey River. He knows every current and every passenger's secret.",
      "[Bram's personality: gruff, kind underneath, superstitious]",
      "[Circumstances and context of the dialogue: Sam waits at the jetty at dusk.]",
      "[Example Chat]\nSam: Is the river deep?\nBram: Deeper than your questions.",
    ].join("\n\n"),
  );
  const greeting = "*Bram spits into the river.* Fare's one coin, Sam. Two if you talk.";

  it("greets with macros filled", () => {
    expect(greetingsOf(def, macroNames(def.name, "Sam"))).toEqual([greeting]);
  });

  it("first turn", () => {
    expect(promptFor(def, sam, [A(greeting)], "Hello there.").messages).toEqual([system, A(greeting), U("Hello there.")]);
  });

  it("second turn (no lorebook: the same sheet)", () => {
    const history = [A(greeting), U("Hello there."), A("Evening.")];
    expect(promptFor(def, sam, history, "Take me across.").messages).toEqual([system, ...history, U("Take me across.")]);
  });
});

describe("V2: Captain Vela", () => {
  const def = definition("v2-vela.json");
  const user = { name: "Sam", persona: "{{user}} is a nervous cadet who loves maps." };
  const sheet = (lore: string[]) =>
    S(
      [
        "You are Captain Vela, talking with Sam. Stay in character and reply as Captain Vela would, in the first person. Never break the fourth wall.",
        "Sam is a nervous cadet who loves maps.",
        "Vela commands the salvage ship Meridian. She speaks in nautical metaphors.",
        "[Captain Vela's personality: bold, wry, protective of her crew]",
        "[Circumstances and context of the dialogue: The bridge of the Meridian, mid-voyage. Sam is the new navigator.]",
        ...lore,
        "[Example Chat]\nSam: Where are we?\nCaptain Vela: Off the charts, as usual.\n[Example Chat]\nSam: Any orders?\nCaptain Vela: Keep her steady and your coffee hot.",
      ].join("\n\n"),
    );
  const post = S("Answer in at most three sentences.");
  const greeting = "Welcome aboard, Sam. Mind the loose panel.";

  it("offers the greeting and the alternate greetings, macros filled", () => {
    expect(greetingsOf(def, macroNames(def.name, "Sam"))).toEqual([greeting, "Ahoy, Sam! Coffee's on the console.", "Report, navigator."]);
  });

  it("first turn: system_prompt with {{original}}, persona, sheet, examples; post-history instructions last", () => {
    expect(promptFor(def, user, [A(greeting)], "Hello, captain.").messages).toEqual([sheet([]), A(greeting), U("Hello, captain."), post]);
  });

  it("keyword turn: the reactor entry goes after the scenario, fired by 'engine'", () => {
    const history = [A(greeting), U("Hello, captain."), A("Hello, navigator.")];
    const p = promptFor(def, user, history, "Is the engine safe?");
    expect(p.messages).toEqual([
      sheet(["The Meridian's reactor is older than Vela and leaks when pushed."]),
      ...history,
      U("Is the engine safe?"),
      post,
    ]);
    expect(p.lore).toEqual([
      {
        id: "1",
        name: "Reactor",
        position: "after_char",
        insertionOrder: 100,
        tokens: expect.any(Number),
        trigger: { kind: "key", key: "engine", pass: 1 },
      },
    ]);
  });
});

describe("V3: Nyx", () => {
  const def = definition("v3-nyx.json");
  const greeting = "Hold the lantern higher, Sam. The street is shifting.";
  const post = S("Stay in the present tense.");

  it("offers only the greeting (group-only greetings are for group chats)", () => {
    expect(greetingsOf(def, macroNames(def.name, "Sam"))).toEqual([greeting]);
  });

  it("first turn: the card's system_prompt replaces ours; {{original}} in the post-history stands for nothing", () => {
    expect(promptFor(def, sam, [A(greeting)], "Where are we going?").messages).toEqual([
      S("You are Nyx. Describe places precisely.\n\nNyx maps cities that move at night.\n\n[Nyx's personality: curious, precise]"),
      A(greeting),
      U("Where are we going?"),
      post,
    ]);
  });

  it("keyword turn: scan depth 3 finds 'clocktower' two messages back (before the character) and the regex key 'bridges?'", () => {
    const history = [A(greeting), U("Where are we going?"), A("To the clocktower.")];
    const p = promptFor(def, sam, history, "Can we cross the bridge?");
    expect(p.messages).toEqual([
      S(
        [
          "You are Nyx. Describe places precisely.",
          "The clocktower is the only fixed point.",
          "Nyx maps cities that move at night.",
          "[Nyx's personality: curious, precise]",
          "Bridges in the moving city only exist while someone crosses them.",
        ].join("\n\n"),
      ),
      ...history,
      U("Can we cross the bridge?"),
      post,
    ]);
    expect(p.lore.map((f) => [f.id, f.trigger])).toEqual([
      ["1", { kind: "key", key: "bridges?", pass: 1 }],
      ["2", { kind: "key", key: "clocktower", pass: 1 }],
    ]);
  });
});

describe("lorebook-heavy: Harbourmaster Ysolde (212 entries)", () => {
  const def = definition("lorebook-heavy.json");
  const greeting = "Welcome, stranger. Name and cargo?";
  const sheet = (before: string[], after: string[]) =>
    S(
      [
        "You are Harbourmaster Ysolde, talking with Sam. Stay in character and reply as Harbourmaster Ysolde would, in the first person.",
        before.join("\n"),
        "Ysolde keeps the harbour ledger of Kell and knows its every rumour.",
        "[Harbourmaster Ysolde's personality: dry, exact, secretly romantic]",
        "[Circumstances and context of the dialogue: The harbour office, late evening.]",
        ...(after.length ? [after.join("\n")] : []),
      ].join("\n\n"),
    );

  it("first turn: only the constant entry", () => {
    const p = promptFor(def, sam, [A(greeting)], "Sam, with a cargo of apples.");
    expect(p.messages).toEqual([sheet(["Kell is a walled harbour city."], []), A(greeting), U("Sam, with a cargo of apples.")]);
    expect(p.lore.map((f) => [f.id, f.trigger.kind])).toEqual([["1", "constant"]]);
  });

  it("keyword turn: selective logic, case and whole-word rules, a regex key, recursion, order", () => {
    const history = [A(greeting), U("Sam, with a cargo of apples."), A("Apples. Noted.")];
    const ask = "Tell me about the Tide Queen. Is the night guard honest? The eels at the market look odd, and a storm is coming.";
    const p = promptFor(def, sam, history, ask);
    expect(p.messages).toEqual([
      sheet(
        ["Kell is a walled harbour city.", "The fish market opens before dawn."],
        [
          "The night guard takes bribes in fish.",
          "Kell's guards are proud and honest.",
          "The Sunken Palace floods at every high tide.",
          "The Tide Queen rules Kell from the Sunken Palace.",
          "Market law: every trade is sealed with a handshake and a fish, and a broken seal means a week in the stocks by the harbour gate.",
          "Storms close the harbour for days.",
        ],
      ),
      ...history,
      U(ask),
    ]);
    expect(p.lore.map((f) => [f.id, f.trigger])).toEqual([
      ["1", { kind: "constant" }],
      ["4", { kind: "key", key: "guard", secondary: "night", pass: 1 }],
      ["5", { kind: "key", key: "guard", pass: 1 }],
      ["3", { kind: "key", key: "sunken palace", pass: 2 }],
      ["2", { kind: "key", key: "tide queen", pass: 1 }],
      ["9", { kind: "key", key: "market", pass: 1 }],
      ["12", { kind: "key", key: "market", pass: 1 }],
      ["11", { kind: "key", key: "/\\bstorm(s|y)?\\b/i", pass: 1 }],
    ]);
  });

  it("a smaller budget drops the lowest orders first and says so in the ledger", () => {
    const small = { ...def, book: def.book && { ...def.book, tokenBudget: 40 } };
    const parts = characterPromptParts(prepareCharacter(small, sam), {
      history: [],
      newMessage: "The market, the storm.",
      budget: BUDGET,
      reserve: 256,
    });
    // Orders 70 (storm, 8 tokens) and 65 (market law, 29) fit in 40; 60 (fish market) and the constant (order 1) do not.
    expect(parts.lore.map((f) => f.id)).toEqual(["12", "11"]);
    expect(parts.system.find((s) => s.name === "lore_after")?.excluded?.map((e) => e.id)).toEqual(["lore:9", "lore:1"]);
  });
});

describe("macro-heavy: Pip", () => {
  const def = definition("macro-heavy.json");
  const greeting = "*Pip whirs awake.* Boss! I mean, Sam! Pip is ready!";
  const sheet = (lore: string[]) =>
    S(
      [
        "Play Pip for Sam. You are Pip, talking with Sam. Stay in character and reply as Pip would, in the first person.",
        "Pip is a pocket-sized clockwork fox who adores Sam. Pip calls Sam 'boss'.",
        "[Pip's personality: Pip is cheerful; Pip fears rain.]",
        "[Circumstances and context of the dialogue: Sam's workshop, where Pip was built.]",
        ...lore,
        "[Example Chat]\nSam: Status?\nPip: All gears turning, Sam!\n[Example Chat]\nSam: Rain is coming.\nPip: *Pip hides under the bench.*",
      ].join("\n\n"),
    );
  const post = S("Remember: Pip always calls Sam boss.");

  it("fills every macro form in the greetings", () => {
    expect(greetingsOf(def, macroNames(def.name, "Sam"))).toEqual([greeting, "Pip yawns. Morning, Sam!"]);
  });

  it("first turn", () => {
    expect(promptFor(def, sam, [A(greeting)], "Good morning.").messages).toEqual([sheet([]), A(greeting), U("Good morning."), post]);
  });

  it("keyword turn: a macro in the key itself", () => {
    const history = [A(greeting), U("Good morning."), A("Morning, boss!")];
    expect(promptFor(def, sam, history, "Where is Pip's key?").messages).toEqual([
      sheet(["Pip keeps the winding key around Sam's neck."]),
      ...history,
      U("Where is Pip's key?"),
      post,
    ]);
  });
});

describe("PNG cards", () => {
  it("chara: Mossback, first turn and the frog entry", () => {
    const def = definition("png-chara.png");
    const greeting = "Shh. The council is voting, Sam.";
    const system =
      "You are Mossback, talking with Sam. Stay in character and reply as Mossback would, in the first person.\n\nA swamp hermit who talks to frogs.";
    expect(promptFor(def, sam, [A(greeting)], "Hello?").messages).toEqual([S(system), A(greeting), U("Hello?")]);
    const history = [A(greeting), U("Hello?"), A("Quiet!")];
    expect(promptFor(def, sam, history, "Who is the frog king?").messages).toEqual([
      S(`${system}\n\nThe frogs elect a king every full moon.`),
      ...history,
      U("Who is the frog king?"),
    ]);
  });

  it("ccv3: Quill, first turn and the clocktower entry", () => {
    const def = definition("png-ccv3.png");
    const greeting = "State the memory you wish to file, Sam.";
    const post = S("Stay in the present tense.");
    const tail = "An archivist automaton who files memories.\n\n[Quill's personality: curious, precise]";
    expect(promptFor(def, sam, [A(greeting)], "Hello.").messages).toEqual([
      S(`You are Quill. Describe places precisely.\n\n${tail}`),
      A(greeting),
      U("Hello."),
      post,
    ]);
    const history = [A(greeting), U("Hello."), A("Greetings.")];
    expect(promptFor(def, sam, history, "File this: we met at the clocktower.").messages).toEqual([
      S(`You are Quill. Describe places precisely.\n\nThe clocktower is the only fixed point.\n\n${tail}`),
      ...history,
      U("File this: we met at the clocktower."),
      post,
    ]);
  });

  it("both chunks: the V3 card (Ember) wins over the V2 one", () => {
    const def = definition("png-both.png");
    const greeting = "State the memory you wish to file, Sam.";
    expect(promptFor(def, sam, [A(greeting)], "Hi.").messages).toEqual([
      S("You are Ember. Describe places precisely.\n\nA fire spirit (V3 data).\n\n[Ember's personality: curious, precise]"),
      A(greeting),
      U("Hi."),
      S("Stay in the present tense."),
    ]);
    // No lorebook in the V3 data: a keyword turn changes nothing.
    expect(promptFor(def, sam, [A(greeting), U("Hi."), A("Yes?")], "The bridge and the clocktower?").messages[0]).toEqual(
      S("You are Ember. Describe places precisely.\n\nA fire spirit (V3 data).\n\n[Ember's personality: curious, precise]"),
    );
  });
});

describe("budget shares", () => {
  it("drops example exchanges whole when their share is small, the first ones kept", () => {
    const def = definition("v2-vela.json");
    const parts = characterPromptParts(prepareCharacter(def, sam), { history: [], newMessage: "Hi", budget: 300, reserve: 0 });
    const examples = parts.system.find((s) => s.name === "examples")!;
    expect(examples.items?.map((i) => i.id)).toEqual(["example:1"]);
    expect(examples.excluded?.map((i) => i.id)).toEqual(["example:2"]);
    expect(examples.text).toBe("[Example Chat]\nSam: Where are we?\nCaptain Vela: Off the charts, as usual.");
  });

  it("gives examples and lore nothing when the fixed parts and the reserve fill the budget", () => {
    const def = definition("v2-vela.json");
    const parts = characterPromptParts(prepareCharacter(def, sam), { history: [], newMessage: "the engine", budget: 7680, reserve: 7600 });
    expect(parts.system.find((s) => s.name === "examples")?.text).toBe("");
    expect(parts.lore).toEqual([]);
  });
});

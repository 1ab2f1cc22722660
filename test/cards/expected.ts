/**
 * The prompts the corpus cards must produce, written by hand from each card
 * and the rules (SillyTavern's default Chat Completion order; Card V2/V3:
 * `system_prompt` replaces our main prompt, `{{original}}` keeps it;
 * `post_history_instructions` after the new message), never copied from the
 * code's output. The user is "Sam". Used by the prompt's unit test and by the
 * end-to-end test of what the LLM receives.
 */

export interface ExpectedCard {
  file: string;
  /** The user's persona text as entered (macros in it are filled by the service). */
  persona: string;
  greeting: string;
  /** The first message and the system message of its prompt. */
  first: { say: string; system: string };
  /** A message that sets off the lorebook, and the system message of its prompt. */
  keyword: { say: string; system: string };
  /** The card's post-history instructions, or null. */
  post: string | null;
}

const lines = (...parts: string[]) => parts.join("\n\n");

const velaSheet = (lore: string[]) =>
  lines(
    "You are Captain Vela, talking with Sam. Stay in character and reply as Captain Vela would, in the first person. Never break the fourth wall.",
    "Sam is a nervous cadet who loves maps.",
    "Vela commands the salvage ship Meridian. She speaks in nautical metaphors.",
    "[Captain Vela's personality: bold, wry, protective of her crew]",
    "[Circumstances and context of the dialogue: The bridge of the Meridian, mid-voyage. Sam is the new navigator.]",
    ...lore,
    "[Example Chat]\nSam: Where are we?\nCaptain Vela: Off the charts, as usual.\n[Example Chat]\nSam: Any orders?\nCaptain Vela: Keep her steady and your coffee hot.",
  );

const pipSheet = (lore: string[]) =>
  lines(
    "Play Pip for Sam. You are Pip, talking with Sam. Stay in character and reply as Pip would, in the first person.",
    "Pip is a pocket-sized clockwork fox who adores Sam. Pip calls Sam 'boss'.",
    "[Pip's personality: Pip is cheerful; Pip fears rain.]",
    "[Circumstances and context of the dialogue: Sam's workshop, where Pip was built.]",
    ...lore,
    "[Example Chat]\nSam: Status?\nPip: All gears turning, Sam!\n[Example Chat]\nSam: Rain is coming.\nPip: *Pip hides under the bench.*",
  );

const mossback =
  "You are Mossback, talking with Sam. Stay in character and reply as Mossback would, in the first person.\n\nA swamp hermit who talks to frogs.";
const quillTail = "An archivist automaton who files memories.\n\n[Quill's personality: curious, precise]";
const ember = "You are Ember. Describe places precisely.\n\nA fire spirit (V3 data).\n\n[Ember's personality: curious, precise]";

const ysolde = (before: string[], after: string[]) =>
  lines(
    "You are Harbourmaster Ysolde, talking with Sam. Stay in character and reply as Harbourmaster Ysolde would, in the first person.",
    before.join("\n"),
    "Ysolde keeps the harbour ledger of Kell and knows its every rumour.",
    "[Harbourmaster Ysolde's personality: dry, exact, secretly romantic]",
    "[Circumstances and context of the dialogue: The harbour office, late evening.]",
    ...(after.length ? [after.join("\n")] : []),
  );

export const EXPECTED: ExpectedCard[] = [
  {
    file: "v1-bram.json",
    persona: "",
    greeting: "*Bram spits into the river.* Fare's one coin, Sam. Two if you talk.",
    first: {
      say: "Hello there.",
      system: lines(
        "You are Bram, talking with Sam. Stay in character and reply as Bram would, in the first person.",
        "Bram is the old ferryman of the Grey River. He knows every current and every passenger's secret.",
        "[Bram's personality: gruff, kind underneath, superstitious]",
        "[Circumstances and context of the dialogue: Sam waits at the jetty at dusk.]",
        "[Example Chat]\nSam: Is the river deep?\nBram: Deeper than your questions.",
      ),
    },
    // V1 has no lorebook: any turn has the same sheet.
    keyword: {
      say: "Take me across.",
      system: lines(
        "You are Bram, talking with Sam. Stay in character and reply as Bram would, in the first person.",
        "Bram is the old ferryman of the Grey River. He knows every current and every passenger's secret.",
        "[Bram's personality: gruff, kind underneath, superstitious]",
        "[Circumstances and context of the dialogue: Sam waits at the jetty at dusk.]",
        "[Example Chat]\nSam: Is the river deep?\nBram: Deeper than your questions.",
      ),
    },
    post: null,
  },
  {
    file: "v2-vela.json",
    persona: "{{user}} is a nervous cadet who loves maps.",
    greeting: "Welcome aboard, Sam. Mind the loose panel.",
    first: { say: "Hello, captain.", system: velaSheet([]) },
    keyword: { say: "Is the engine safe?", system: velaSheet(["The Meridian's reactor is older than Vela and leaks when pushed."]) },
    post: "Answer in at most three sentences.",
  },
  {
    file: "v3-nyx.json",
    persona: "",
    greeting: "Hold the lantern higher, Sam. The street is shifting.",
    first: {
      say: "Where are we going?",
      system: "You are Nyx. Describe places precisely.\n\nNyx maps cities that move at night.\n\n[Nyx's personality: curious, precise]",
    },
    keyword: {
      // The clocktower entry fires on a reply two messages back only when the reply says it; this turn names both.
      say: "Can we cross the bridge to the clocktower?",
      system: lines(
        "You are Nyx. Describe places precisely.",
        "The clocktower is the only fixed point.",
        "Nyx maps cities that move at night.",
        "[Nyx's personality: curious, precise]",
        "Bridges in the moving city only exist while someone crosses them.",
      ),
    },
    post: "Stay in the present tense.",
  },
  {
    file: "lorebook-heavy.json",
    persona: "",
    greeting: "Welcome, stranger. Name and cargo?",
    first: { say: "Sam, with a cargo of apples.", system: ysolde(["Kell is a walled harbour city."], []) },
    keyword: {
      say: "Tell me about the Tide Queen. Is the night guard honest? The eels at the market look odd, and a storm is coming.",
      system: ysolde(
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
    },
    post: null,
  },
  {
    file: "macro-heavy.json",
    persona: "",
    greeting: "*Pip whirs awake.* Boss! I mean, Sam! Pip is ready!",
    first: { say: "Good morning.", system: pipSheet([]) },
    keyword: { say: "Where is Pip's key?", system: pipSheet(["Pip keeps the winding key around Sam's neck."]) },
    post: "Remember: Pip always calls Sam boss.",
  },
  {
    file: "png-chara.png",
    persona: "",
    greeting: "Shh. The council is voting, Sam.",
    first: { say: "Hello?", system: mossback },
    keyword: { say: "Who is the frog king?", system: `${mossback}\n\nThe frogs elect a king every full moon.` },
    post: null,
  },
  {
    file: "png-ccv3.png",
    persona: "",
    greeting: "State the memory you wish to file, Sam.",
    first: { say: "Hello.", system: `You are Quill. Describe places precisely.\n\n${quillTail}` },
    keyword: {
      say: "File this: we met at the clocktower.",
      system: `You are Quill. Describe places precisely.\n\nThe clocktower is the only fixed point.\n\n${quillTail}`,
    },
    post: "Stay in the present tense.",
  },
  {
    file: "png-both.png",
    persona: "",
    greeting: "State the memory you wish to file, Sam.",
    first: { say: "Hi.", system: ember },
    // No lorebook in the V3 data, which wins over the V2 chunk: a keyword of the V2 book changes nothing.
    keyword: { say: "The bridge and the clocktower?", system: ember },
    post: "Stay in the present tense.",
  },
];

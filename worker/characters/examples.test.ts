import { describe, expect, it } from "vitest";
import { countTokens } from "../context/tokens";
import { fitExamples, parseExamples } from "./examples";

const names = { char: "Vela", user: "Sam" };

describe("parseExamples", () => {
  it("splits on <START> (any case), fills macros, and heads each block [Example Chat]", () => {
    const ex = parseExamples(
      "<START>\n{{user}}: Where are we?\n{{char}}: Off the charts.\n<start>\n<USER>: Again?\n<BOT>: *sighs* Again.\nShe looks away.",
      names,
    );
    expect(ex.map((e) => e.text)).toEqual([
      "[Example Chat]\nSam: Where are we?\nVela: Off the charts.",
      "[Example Chat]\nSam: Again?\nVela: *sighs* Again.\nShe looks away.",
    ]);
    expect(ex.map((e) => e.id)).toEqual(["example:1", "example:2"]);
    expect(ex[1].turns).toEqual([
      { speaker: "user", text: "Again?" },
      { speaker: "char", text: "*sighs* Again.\nShe looks away." },
    ]);
    expect(ex[0].tokens).toBe(countTokens(ex[0].text));
  });

  it("reads text before the first <START> as an exchange, skips empty blocks, and keeps narration", () => {
    const ex = parseExamples("*The bridge hums.*\n{{char}}: Hm.\r\n<START>\n\n<START>   \n", names);
    expect(ex).toHaveLength(1);
    expect(ex[0].turns).toEqual([
      { speaker: "narration", text: "*The bridge hums.*" },
      { speaker: "char", text: "Hm." },
    ]);
  });

  it("has nothing for an empty field or a lone <START>", () => {
    expect(parseExamples("", names)).toEqual([]);
    expect(parseExamples("<START>", names)).toEqual([]);
  });
});

describe("fitExamples", () => {
  const ex = parseExamples(["one", "two two two two two two", "three"].map((w) => `<START>\n{{char}}: ${w}`).join("\n"), names);

  it("keeps whole exchanges in order while they fit and drops the rest, even a smaller later one", () => {
    const first = ex[0].tokens + 1;
    const { kept, dropped } = fitExamples(ex, first + ex[1].tokens);
    expect(kept.map((e) => e.id)).toEqual(["example:1"]);
    expect(dropped.map((e) => e.id)).toEqual(["example:2", "example:3"]);
    expect(fitExamples(ex, 10_000).kept).toHaveLength(3);
    expect(fitExamples(ex, 0).kept).toHaveLength(0);
  });
});

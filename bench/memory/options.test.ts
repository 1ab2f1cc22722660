import { describe, expect, it } from "vitest";
import { DEFAULT_DATA, DEFAULT_OUT, parseOptions } from "./options";

describe("bench:memory options", () => {
  it("defaults to every conversation of the shared data, with the twin", () => {
    expect(parseOptions([])).toEqual({
      data: DEFAULT_DATA,
      conversations: [],
      env: {},
      label: "service",
      twin: true,
      out: DEFAULT_OUT,
      help: false,
    });
    expect(parseOptions([], { LOCOMO_DIR: "/d" }).data).toBe("/d");
  });

  it("reads a subset, worker overrides for an ablation, and where to write", () => {
    const o = parseOptions([
      "--conv",
      "26,conv-30",
      "--conv",
      "41",
      "--questions",
      "5",
      "--env",
      "RECALL_LIMIT=0",
      "--env",
      "LLM_BUDGET_SHARES=recall=0.3,summary=0",
      "--label",
      "no recall",
      "--no-twin",
      "--out",
      "/tmp/x.json",
      "--data",
      "/data",
    ]);
    expect(o).toMatchObject({
      conversations: ["26", "conv-30", "41"],
      questions: 5,
      env: { RECALL_LIMIT: "0", LLM_BUDGET_SHARES: "recall=0.3,summary=0" },
      label: "no recall",
      twin: false,
      out: "/tmp/x.json",
      data: "/data",
    });
  });

  it("refuses what it cannot use", () => {
    expect(() => parseOptions(["--questions", "0"])).toThrow(/whole number/);
    expect(() => parseOptions(["--env", "NOEQUALS"])).toThrow(/KEY=VALUE/);
    expect(() => parseOptions(["--conv"])).toThrow(/needs a value/);
    expect(() => parseOptions(["--frobnicate"])).toThrow(/unknown option/);
  });
});

import { describe, expect, it } from "vitest";
import { type CpuProfile, moduleLines, summarizeProfile } from "./cpu-profile";

const bundle = [
  "import x from 'y';",
  "// node_modules/postgres/src/index.js",
  "function query() {}",
  "// worker/session/core.ts",
  "function generate() {}",
  "function append() {}",
].join("\n");

const frame = (functionName: string, lineNumber: number, url = "file:///app/.build/worker.js") => ({ functionName, url, lineNumber });

describe("moduleLines", () => {
  it("finds esbuild's module markers with their 0-based lines", () => {
    expect(moduleLines(bundle)).toEqual([
      [1, "node_modules/postgres/src/index.js"],
      [3, "worker/session/core.ts"],
    ]);
  });
});

describe("summarizeProfile", () => {
  // root → generate → query, and root → (idle); 1 ms per sample.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)", -1, ""), children: [2, 4] },
      { id: 2, callFrame: frame("generate", 4), children: [3] },
      { id: 3, callFrame: frame("query", 2) },
      { id: 4, callFrame: frame("(idle)", -1, "") },
    ],
    startTime: 0,
    endTime: 6000,
    samples: [2, 3, 3, 3, 4, 4],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000],
  };

  it("splits busy time by module and function, leaving idle out", () => {
    const s = summarizeProfile(profile, "worker.js", bundle);
    expect(s.busyMs).toBe(4);
    expect(s.byModule).toEqual([
      { name: "npm:postgres", ms: 3, share: 0.75 },
      { name: "worker/session/core.ts", ms: 1, share: 0.25 },
    ]);
    expect(s.byFunction[0]).toEqual({ name: "query npm:postgres:3", ms: 3, share: 0.75 });
  });

  it("counts a sample followed by a wait (no samples while the isolate is released) for twice the usual interval", () => {
    const waited = { ...profile, timeDeltas: [0, 1000, 1000, 50_000, 1000, 1000], endTime: 55_000 };
    const s = summarizeProfile(waited, "worker.js", bundle);
    expect(s.busyMs).toBe(5);
    expect(s.byFunction[0]).toEqual({ name: "query npm:postgres:3", ms: 4, share: 0.8 });
  });

  it("counts what an app function calls in its inclusive time", () => {
    const s = summarizeProfile(profile, "worker.js", bundle);
    expect(s.appInclusive).toEqual([{ name: "generate worker/session/core.ts:5", ms: 4, share: 1 }]);
  });
});

import { describe, expect, it } from "vitest";
import { jsonProblem, nestingDepth } from "./json-limits";

const limits = { maxDepth: 32, maxKeys: 10 };
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("nestingDepth", () => {
  it("counts arrays and objects, not brackets inside strings", () => {
    expect(nestingDepth('{"a":[1,{"b":"[[[{{{"}]}', 100)).toBe(3);
    expect(nestingDepth('"\\"[["', 100)).toBe(0);
    expect(nestingDepth(nested(33), 100)).toBe(33);
  });

  it("stops scanning once past the bound", () => {
    expect(nestingDepth(nested(15_000), 32)).toBe(33);
  });
});

describe("jsonProblem", () => {
  it("passes ordinary documents", () => {
    expect(jsonProblem({ content: "hi 😀", list: [1, "two", { three: null }] }, limits)).toBeNull();
  });

  it("names the path of a string holding NUL or an unpaired surrogate", () => {
    expect(jsonProblem({ a: { b: ["ok", "x\u0000"] } }, limits)).toMatchObject({ field: "a.b.1" });
    expect(jsonProblem({ content: "\ud800" }, limits)).toMatchObject({ field: "content" });
    expect(jsonProblem("\u0000", limits)?.field).toBeUndefined();
  });

  it("refuses a key that cannot be stored, without echoing it", () => {
    const p = jsonProblem({ meta: { "k\u0000": 1 } }, limits);
    expect(p?.field).toBe("meta");
    expect(p?.message).not.toContain("\u0000");
  });

  it("counts keys across the whole document", () => {
    const wide = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, { x: 1 }]));
    expect(jsonProblem(wide, limits)?.message).toMatch(/more than 10 keys/);
  });

  it("walks a deep document without recursion", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonProblem(deep, { maxDepth: 1e9, maxKeys: 10 })?.message).toMatch(/U\+0000/);
  });
});

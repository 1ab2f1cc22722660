import { describe, expect, it } from "vitest";
import { checkShape, nestingDepth } from "./json-shape";

const limits = { maxDepth: 8, maxKeys: 10 };

describe("nestingDepth", () => {
  it("counts brackets outside strings", () => {
    expect(nestingDepth('{"a": [1, {"b": "[[[{{{"}]}', 100)).toBe(3);
    expect(nestingDepth('"\\"[[["', 100)).toBe(0);
  });

  it("stops early on a document nested 10,000 deep", () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(nestingDepth(deep, 64)).toBe(65);
  });
});

describe("checkShape", () => {
  it("accepts a document within the limits", () => {
    expect(checkShape({ a: [1, "x", { b: null }], c: true }, limits)).toBeNull();
  });

  it("finds nesting beyond the limit", () => {
    let v: unknown = 1;
    for (let i = 0; i < 9; i++) v = [v];
    expect(checkShape(v, limits)).toEqual({ kind: "too_deep", depth: 9 });
  });

  it("counts keys across the whole document", () => {
    const wide = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, { x: 1 }]));
    expect(checkShape(wide, limits)).toMatchObject({ kind: "too_many_keys" });
  });

  it("names the field that holds a NUL, in a value or a key", () => {
    expect(checkShape({ data: { description: "ok", tags: ["a", "b\u0000"] } }, limits)).toEqual({ kind: "nul", field: "data.tags.1" });
    expect(checkShape({ data: { "bad\u0000key": 1 } }, limits)).toEqual({ kind: "nul", field: "data.bad\\u0000key" });
  });
});

import { describe, expect, it } from "vitest";
import { attachAlternatives } from "./controls";
import type { StoredMessage } from "./types";

const msg = (id: string, over: Partial<StoredMessage> = {}): StoredMessage => ({
  id,
  chat: "main",
  role: "assistant",
  content: `text ${id}`,
  status: "complete",
  tokens: 2,
  clientId: null,
  parentId: null,
  active: true,
  createdAt: 0,
  ...over,
});

describe("attachAlternatives (swipes)", () => {
  const user = msg("u1", { role: "user" });
  const first = msg("r1", { parentId: "u1", active: false });
  const second = msg("r2", { parentId: "u1", status: "cancelled", active: false });
  const current = msg("r3", { parentId: "u1" });

  it("gives the shown reply every other version of the same answer, oldest first", () => {
    const [u, r] = attachAlternatives([user, current], [first, second, current]);
    expect(u.alternatives).toBeUndefined();
    expect(r.id).toBe("r3");
    expect(r.alternatives).toEqual([
      { id: "r1", content: "text r1", status: "complete" },
      { id: "r2", content: "text r2", status: "cancelled" },
    ]);
  });

  it("leaves a reply without siblings and a greeting (no parent) as they are", () => {
    const greeting = msg("g1");
    const lone = msg("r9", { parentId: "u9" });
    const out = attachAlternatives([greeting, lone], [lone]);
    expect(out.map((m) => m.alternatives)).toEqual([undefined, undefined]);
    expect(out[1]).toMatchObject({ id: "r9", role: "assistant", content: "text r9", status: "complete" });
  });

  it("never mixes the versions of different user messages", () => {
    const other = msg("r4", { parentId: "u2" });
    const [r] = attachAlternatives([current], [first, other, current]);
    expect(r.alternatives?.map((a) => a.id)).toEqual(["r1"]);
  });
});

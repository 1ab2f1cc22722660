/**
 * The object's schema in real workerd SQLite: the lookups a turn makes find
 * their rows through an index, so a conversation that has lived through
 * thousands of turns in one object does not scan them all on every turn.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInlineWorker } from "../../test/inline-worker";

const here = (file: string) => JSON.stringify(fileURLToPath(new URL(file, import.meta.url)));
const ENTRY = `
import { DurableObject } from "cloudflare:workers";
import { ensureSchema } from ${here("./schema.ts")};
import { REPLIES_TO_ANY } from ${here("./store.ts")};
export class Holder extends DurableObject {
  plan() {
    const sql = this.ctx.storage.sql;
    ensureSchema(sql);
    for (let i = 0; i < 300; i++) {
      const user = String(2 * i).padStart(8, "0");
      sql.exec("INSERT INTO messages (id, role, content, status, tokens, parent_id, active, created_at) VALUES (?, 'user', 'hi', 'complete', 1, NULL, 1, 0)", user);
      sql.exec("INSERT INTO messages (id, role, content, status, tokens, parent_id, active, created_at) VALUES (?, 'assistant', 'hello', 'complete', 1, ?, 1, 0)", String(2 * i + 1).padStart(8, "0"), user);
    }
    const found = sql.exec(REPLIES_TO_ANY, JSON.stringify(["00000010", "00000020"])).toArray().map((r) => r.id);
    const plan = sql.exec("EXPLAIN QUERY PLAN " + REPLIES_TO_ANY, "[]").toArray().map((r) => r.detail);
    return { found, plan };
  }
}
export default {
  async fetch(request, env) {
    return Response.json(await env.HOLDER.get(env.HOLDER.idFromName("one")).plan());
  },
};`;

let workerd: Awaited<ReturnType<typeof startInlineWorker>>;

beforeAll(async () => {
  workerd = await startInlineWorker(ENTRY, { HOLDER: { className: "Holder", useSQLite: true } });
});
afterAll(async () => {
  await workerd?.dispose();
});

describe("the session object's schema", () => {
  it("finds a reply's alternatives through an index, not by scanning every message", async () => {
    const { found, plan } = (await (await fetch(workerd.url)).json()) as { found: string[]; plan: string[] };
    expect(found).toEqual(["00000011", "00000021"]);
    expect(plan.join("\n")).toMatch(/SEARCH messages USING INDEX messages_parent/);
    expect(plan.join("\n")).not.toMatch(/SCAN messages/);
  });
});

/**
 * `npm start` with nothing configured: embedded PostgreSQL, the development
 * LLM, a generated secret; and the data survives a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { launch } from "./launcher";
import { client, unique } from "./worker";

const dataDir = mkdtempSync(join(tmpdir(), "chat-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The launcher with an environment holding none of the service's variables. */
const start = () => launch({ DATA_DIR: dataDir });

describe("npm start", () => {
  it("serves on embedded defaults, says so, and keeps users across a restart", async () => {
    const first = await start();
    const name = unique();
    try {
      const text = first.log.join("");
      expect(text).toContain("embedded PostgreSQL");
      expect(text).toContain("development LLM");
      expect(text).toContain("AUTH_SECRET unset");
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      const meta = (await (await fetch(`${first.url}/api/meta`)).json()) as { devLlm: boolean };
      expect(meta.devLlm).toBe(true);
      const api = client(first.url);
      const me = await api.register(name);
      const ch = await api.character(me);
      expect((await api.say(me, ch.id, "hello embedded")).status).toBe(200);
    } finally {
      await first.stop();
    }
    const second = await start();
    try {
      const res = await fetch(`${second.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ login: name, password: "correct horse battery" }),
      });
      expect(res.status).toBe(200);
      const { accessToken } = (await res.json()) as { accessToken: string };
      const chats = (await (await fetch(`${second.url}/api/chats`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as {
        chats: { lastMessage: { content: string } }[];
      };
      expect(chats.chats[0].lastMessage.content).toContain("[development model]");
    } finally {
      await second.stop();
    }
  }, 180_000);
});

/**
 * `npm start` with nothing configured: embedded PostgreSQL, the development
 * LLM, a generated secret; and the data survives a restart.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { client, unique } from "./worker";

const dataDir = mkdtempSync(join(tmpdir(), "chat-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts the launcher with an environment holding none of the service's variables. */
async function start(): Promise<{ url: string; log: string[]; stop(): Promise<void> }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|LLM_|AUTH_SECRET|TUNNEL_)/.test(k)) env[k] = v;
  }
  Object.assign(env, { PORT: "0", DEV_LLM_PORT: "0", DATA_DIR: dataDir });
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "dev/start.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${log.join("")}`)), 90_000);
    const onData = (chunk: Buffer) => {
      log.push(chunk.toString());
      const m = /serving on (http:\/\/\S+)/.exec(log.join(""));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`exited ${code}:\n${log.join("")}`)));
  });
  return {
    url,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

describe("npm start", () => {
  it("serves on embedded defaults, says so, seeds the samples once, and keeps users and avatars across a restart", async () => {
    const first = await start();
    let sampleAvatar = "";
    const name = unique();
    try {
      const text = first.log.join("");
      expect(text).toContain("embedded PostgreSQL");
      expect(text).toContain("development LLM");
      expect(text).toContain("AUTH_SECRET unset");
      expect(text).toContain("sample characters seeded");
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      const meta = (await (await fetch(`${first.url}/api/meta`)).json()) as { devLlm: boolean };
      expect(meta.devLlm).toBe(true);
      const api = client(first.url);
      const me = await api.register(name);
      const gallery = (await (await api.call("/api/characters", { as: me })).json()) as { characters: { avatarUrl: string }[] };
      expect(gallery.characters.length).toBe(4);
      sampleAvatar = gallery.characters[0].avatarUrl;
      const ch = await api.character(me);
      expect((await api.say(me, ch.id, "hello embedded")).status).toBe(200);
    } finally {
      await first.stop();
    }
    const second = await start();
    try {
      expect(second.log.join("")).toContain("sample characters already seeded");
      // Avatars live in the data folder's object store, not in memory.
      expect((await fetch(`${second.url}${sampleAvatar}`)).status).toBe(200);
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
  }, 240_000);
});

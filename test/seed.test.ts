/**
 * Sample characters: seeded into an empty database once, public, each with
 * an avatar, greetings, examples and a lorebook; never into a database that
 * already has characters.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrateDatabase } from "../dev/migrate";
import { SAMPLES_USERNAME, seedSamples } from "../dev/seed-samples";
import type { Stack } from "../dev/stack";
import type { Character } from "../worker/shared/wire";
import { client, startWorker } from "./worker";

const admin = postgres(inject("adminDatabaseUrl"), { max: 1, onnotice: () => {} });
const name = `chat_seed_${randomBytes(4).toString("hex")}`;
let url: string;
let worker: Stack;
let bucket: R2Bucket;

beforeAll(async () => {
  await admin.unsafe(`create database ${name}`);
  const u = new URL(inject("adminDatabaseUrl"));
  u.pathname = `/${name}`;
  url = u.toString();
  await migrateDatabase(url);
  worker = await startWorker({ databaseUrl: url });
  bucket = (await worker.mf.getR2Bucket("AVATARS")) as unknown as R2Bucket;
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe("seedSamples", () => {
  it("seeds public sample characters into an empty database, once", async () => {
    expect(await seedSamples(url, async () => bucket)).toBe("seeded");
    expect(await seedSamples(url, async () => bucket)).toBe("already_seeded");
    const api = client(worker.url);
    const me = await api.register();
    const res = await api.call("/api/characters", { as: me });
    const { characters } = (await res.json()) as { characters: Character[] };
    expect(characters.map((c) => c.name).sort()).toEqual(["Captain Isolde Marrow", "Juniper", "Professor Quentin Ash", "Sev"]);
    for (const c of characters) {
      expect(c.visibility).toBe("public");
      expect(c.tags.length).toBeGreaterThan(0);
      expect(c.tagline).not.toBe("");
      const avatar = await api.call(c.avatarUrl!);
      expect(avatar.status).toBe(200);
      expect(avatar.headers.get("content-type")).toBe("image/png");
      const card = (await (await api.call(`/api/characters/${c.id}/card`, { as: me })).json()) as { data: Record<string, unknown> };
      expect((card.data.alternate_greetings as string[]).length).toBeGreaterThan(0);
      expect(card.data.mes_example).toContain("<START>");
      expect(((card.data.character_book as { entries: unknown[] }).entries ?? []).length).toBeGreaterThanOrEqual(3);
    }
    // "pirate" is in a tagline, not a name.
    const found = (await (await api.call("/api/characters?q=pirate", { as: me })).json()) as { characters: Character[] };
    expect(found.characters[0].name).toBe("Captain Isolde Marrow");
    // Nobody can sign in as the samples' owner.
    const login = await api.call("/api/auth/login", { method: "POST", json: { login: SAMPLES_USERNAME, password: "disabled" } });
    expect(login.status).toBe(401);
  });

  it("leaves a database that already has characters alone", async () => {
    // The run's shared database: give it a character first, whatever other files have done.
    const shared = await startWorker();
    try {
      const api = client(shared.url);
      await api.character(await api.register());
    } finally {
      await shared.close();
    }
    expect(await seedSamples(inject("databaseUrl"), async () => bucket)).toBe("not_empty");
  });
});

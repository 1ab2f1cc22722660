/**
 * Characters end to end in workerd: create, list and search with paging,
 * who may read, change and delete, the seed's cached read, Card V2.
 */
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Stack } from "../dev/stack";
import type { Character } from "../worker/shared/wire";
import { client, type Session, startWorker, unique } from "./worker";

let worker: Stack;
let api: ReturnType<typeof client>;
let redis: Redis;
let alice: Session;
let bob: Session;

interface ErrorJson {
  error: { code: string; message: string; field?: string };
}
interface Page {
  characters: Character[];
  nextCursor: string | null;
}

async function errorOf(res: Response): Promise<ErrorJson["error"]> {
  return ((await res.json()) as ErrorJson).error;
}

async function create(as: Session, fields: Record<string, unknown>): Promise<Character> {
  const res = await api.call("/api/characters", { method: "POST", as, json: { description: "d", greeting: "Hi.", ...fields } });
  if (res.status !== 201) throw new Error(`create ${res.status} ${await res.text()}`);
  return ((await res.json()) as { character: Character }).character;
}

async function list(as: Session, query: Record<string, string>): Promise<Page> {
  const res = await api.call(`/api/characters?${new URLSearchParams(query)}`, { as });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

/** Every page of a listing, following nextCursor until null. */
async function listAll(as: Session, q: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page = await list(as, cursor ? { q, cursor } : { q });
    expect(page.characters.length).toBeLessThanOrEqual(24);
    ids.push(...page.characters.map((c) => c.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  return { ids, pages };
}

const getCharacter = (as: Session | undefined, id: string, seed = false) =>
  api.call(`/api/${seed ? "character" : "characters"}/${id}`, as ? { as } : {});

const patch = (as: Session, id: string, json: unknown) => api.call(`/api/characters/${id}`, { method: "PATCH", as, json });
const remove = (as: Session, id: string) => api.call(`/api/characters/${id}`, { method: "DELETE", as });

beforeAll(async () => {
  worker = await startWorker();
  api = client(worker.url);
  redis = new Redis(inject("redisUrl"), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  [alice, bob] = await Promise.all([api.register(unique("alice")), api.register(unique("bob"))]);
});

afterAll(async () => {
  redis?.disconnect();
  await worker?.close();
});

describe("create", () => {
  it("answers 201 with the character in the contract's shape", async () => {
    const res = await api.call("/api/characters", {
      method: "POST",
      as: alice,
      json: {
        name: "  Marlowe  ",
        tagline: "Hard-boiled",
        description: "A detective.",
        greeting: "Trouble walked in.",
        scenario: "1940s LA",
        exampleDialogues: "<START>",
        visibility: "public",
      },
    });
    expect(res.status).toBe(201);
    const { character } = (await res.json()) as { character: Character };
    expect(Object.keys(character).sort()).toEqual([
      "avatarUrl",
      "createdAt",
      "creatorId",
      "description",
      "exampleDialogues",
      "greeting",
      "id",
      "name",
      "scenario",
      "tagline",
      "tags",
      "updatedAt",
      "visibility",
    ]);
    expect(character).toMatchObject({
      creatorId: alice.userId,
      name: "Marlowe",
      tagline: "Hard-boiled",
      description: "A detective.",
      greeting: "Trouble walked in.",
      scenario: "1940s LA",
      exampleDialogues: "<START>",
      visibility: "public",
    });
    expect(Date.parse(character.createdAt)).not.toBeNaN();
    expect((await getCharacter(alice, character.id)).status).toBe(200);
  });

  it("defaults the optional fields and makes a character private", async () => {
    const ch = await create(alice, { name: unique("Defaults ") });
    expect(ch).toMatchObject({ visibility: "private", scenario: "", exampleDialogues: "", tagline: "" });
  });

  it.each([
    ["an empty name", { name: "   " }, "name"],
    ["a missing name", { name: undefined }, "name"],
    ["an unknown visibility", { name: "Ok", visibility: "friends" }, "visibility"],
    ["a name over 100 characters", { name: "x".repeat(101) }, "name"],
  ])("refuses %s with 400 invalid_input naming the field", async (_label, fields, field) => {
    const res = await api.call("/api/characters", { method: "POST", as: alice, json: { description: "d", ...fields } });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "invalid_input", field });
  });

  it("refuses a request without a token with 401", async () => {
    const res = await api.call("/api/characters", { method: "POST", json: { name: "Nobody's" } });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("unauthorized");
  });
});

describe("list and search", () => {
  it("shows public characters and the caller's own private ones, never others' private ones", async () => {
    const tag = unique("Vis");
    const alicePublic = await create(alice, { name: `${tag} alice public`, visibility: "public" });
    const alicePrivate = await create(alice, { name: `${tag} alice private`, visibility: "private" });
    const bobPrivate = await create(bob, { name: `${tag} bob private`, visibility: "private" });

    const seenByBob = (await list(bob, { q: tag })).characters.map((c) => c.id);
    expect(seenByBob.sort()).toEqual([alicePublic.id, bobPrivate.id].sort());
    const seenByAlice = (await list(alice, { q: tag })).characters.map((c) => c.id);
    expect(seenByAlice.sort()).toEqual([alicePublic.id, alicePrivate.id].sort());
  });

  it("searches names by case-insensitive substring", async () => {
    const tag = unique("Srch");
    const match = await create(alice, { name: `The ${tag} Navigator`, visibility: "public" });
    await create(alice, { name: `${tag} Harbourmaster`, visibility: "public" });
    const found = (await list(bob, { q: `${tag.toLowerCase()} NAVIG` })).characters.map((c) => c.id);
    expect(found).toEqual([match.id]);
    const inner = (await list(bob, { q: tag.slice(2).toUpperCase() })).characters.map((c) => c.id);
    expect(inner).toContain(match.id);
  });

  it("treats % and _ in the query as text, not as wildcards", async () => {
    const tag = unique("Pct");
    const literal = await create(alice, { name: `${tag} a_c`, visibility: "public" });
    await create(alice, { name: `${tag} abc`, visibility: "public" });
    expect((await list(alice, { q: `${tag} a_c` })).characters.map((c) => c.id)).toEqual([literal.id]);
    // Full-text search may find "100 percent" for "100%", but the exact name comes first.
    const exact = await create(alice, { name: `${tag} 100% sure`, visibility: "public" });
    await create(alice, { name: `${tag} 100 percent`, visibility: "public" });
    expect((await list(alice, { q: `${tag} 100%` })).characters[0].id).toBe(exact.id);
  });

  it("pages through more than one page with nextCursor: all found, none twice", async () => {
    const tag = unique("Page");
    const made: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const chars = await Promise.all(Array.from({ length: 10 }, (_, i) => create(alice, { name: `${tag} ${batch}-${i}` })));
      made.push(...chars.map((c) => c.id));
    }
    const { ids, pages } = await listAll(alice, tag);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(made.sort());
  });

  it("refuses a malformed cursor with 400 and a missing token with 401", async () => {
    const res = await api.call("/api/characters?cursor=not-an-id", { as: alice });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "invalid_input", field: "cursor" });
    expect((await api.call("/api/characters")).status).toBe(401);
  });
});

describe("reading, changing and deleting", () => {
  let publicOne: Character;
  let privateOne: Character;
  beforeAll(async () => {
    publicOne = await create(alice, { name: unique("Pub "), visibility: "public" });
    privateOne = await create(alice, { name: unique("Priv "), visibility: "private" });
  });

  it("lets anyone read a public character and only its creator a private one", async () => {
    expect((await getCharacter(bob, publicOne.id)).status).toBe(200);
    expect((await getCharacter(alice, privateOne.id)).status).toBe(200);
    const hidden = await getCharacter(bob, privateOne.id);
    expect(hidden.status).toBe(404);
    // Indistinguishable from a character that does not exist.
    const missing = await getCharacter(bob, "01900000-0000-7000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect((await errorOf(hidden)).code).toBe((await errorOf(missing)).code);
    expect((await getCharacter(bob, "not-a-uuid")).status).toBe(404);
    expect((await getCharacter(undefined, publicOne.id)).status).toBe(401);
  });

  it("refuses changes by anyone but the creator: 403 on a public character, 404 on a private one", async () => {
    const p = await patch(bob, publicOne.id, { name: "Stolen" });
    expect(p.status).toBe(403);
    expect((await errorOf(p)).code).toBe("forbidden");
    expect((await remove(bob, publicOne.id)).status).toBe(403);
    expect((await patch(bob, privateOne.id, { name: "Stolen" })).status).toBe(404);
    expect((await remove(bob, privateOne.id)).status).toBe(404);
    expect((await api.call(`/api/characters/${publicOne.id}`, { method: "PATCH", json: { name: "Stolen" } })).status).toBe(401);
    expect((await api.call(`/api/characters/${publicOne.id}`, { method: "DELETE" })).status).toBe(401);
    const still = (await (await getCharacter(alice, publicOne.id)).json()) as { character: Character };
    expect(still.character.name).toBe(publicOne.name);
  });

  it("lets the creator change a character, and keeps the change", async () => {
    const ch = await create(alice, { name: unique("Edit "), visibility: "private" });
    const res = await patch(alice, ch.id, { name: "Renamed", greeting: "New hello", visibility: "public" });
    expect(res.status).toBe(200);
    const { character } = (await res.json()) as { character: Character };
    expect(character).toMatchObject({
      id: ch.id,
      name: "Renamed",
      greeting: "New hello",
      visibility: "public",
      description: ch.description,
    });
    expect(Date.parse(character.updatedAt)).toBeGreaterThanOrEqual(Date.parse(ch.updatedAt));
    // Now public, so bob sees it too.
    expect((await getCharacter(bob, ch.id)).status).toBe(200);
  });

  it("refuses an invalid change with 400 naming the field", async () => {
    const empty = await patch(alice, publicOne.id, { name: "  " });
    expect(empty.status).toBe(400);
    expect(await errorOf(empty)).toMatchObject({ code: "invalid_input", field: "name" });
    const visibility = await patch(alice, publicOne.id, { visibility: "everyone" });
    expect(visibility.status).toBe(400);
    expect(await errorOf(visibility)).toMatchObject({ code: "invalid_input", field: "visibility" });
  });

  it("deletes a character for its creator: 204, then 404", async () => {
    const ch = await create(alice, { name: unique("Gone "), visibility: "public" });
    expect((await remove(alice, ch.id)).status).toBe(204);
    expect((await getCharacter(alice, ch.id)).status).toBe(404);
    expect((await getCharacter(bob, ch.id)).status).toBe(404);
    expect((await remove(alice, ch.id)).status).toBe(404);
  });
});

describe("the seed's cached read, GET /api/character/:id", () => {
  it("answers exactly like GET /api/characters/:id", async () => {
    const pub = await create(alice, { name: unique("Seed "), visibility: "public", scenario: "s", exampleDialogues: "e" });
    const priv = await create(alice, { name: unique("SeedPriv ") });
    for (const [as, id] of [
      [bob, pub.id],
      [alice, priv.id],
      [bob, priv.id],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        // the second seed read comes from the cache
        const [seed, plain] = await Promise.all([getCharacter(as, id, true), getCharacter(as, id)]);
        expect(seed.status).toBe(plain.status);
        const [a, b] = (await Promise.all([seed.json(), plain.json()])) as [Record<string, unknown>, Record<string, unknown>];
        if (seed.status === 200) expect(a).toEqual(b);
        else expect((a as unknown as ErrorJson).error.code).toBe((b as unknown as ErrorJson).error.code);
      }
    }
    expect((await getCharacter(undefined, pub.id, true)).status).toBe(401);
  });

  it("caches in Redis for at most an hour, and a change is seen at once", async () => {
    const ch = await create(alice, { name: unique("Cached "), visibility: "public" });
    expect((await getCharacter(bob, ch.id, true)).status).toBe(200);
    const key = `character:${ch.id}`;
    expect(await redis.exists(key)).toBe(1);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3600);

    expect((await patch(alice, ch.id, { name: "Renamed while cached" })).status).toBe(200);
    const after = (await (await getCharacter(bob, ch.id, true)).json()) as { character: Character };
    expect(after.character.name).toBe("Renamed while cached");

    expect((await patch(alice, ch.id, { visibility: "private" })).status).toBe(200);
    expect((await getCharacter(bob, ch.id, true)).status).toBe(404);
    expect((await getCharacter(alice, ch.id, true)).status).toBe(200);

    expect((await remove(alice, ch.id)).status).toBe(204);
    expect((await getCharacter(alice, ch.id, true)).status).toBe(404);
  });

  it("stops serving a cached character once its creator deletes their account", async () => {
    const owner = await api.register();
    const ch = await create(owner, { name: unique("Orphan "), visibility: "public" });
    expect((await getCharacter(bob, ch.id, true)).status).toBe(200);
    expect((await api.call("/api/me", { method: "DELETE", as: owner })).status).toBe(204);
    expect((await getCharacter(bob, ch.id)).status).toBe(404);
    expect((await getCharacter(bob, ch.id, true)).status).toBe(404);
  });
});

describe("Character Card V2", () => {
  const card = () => ({
    spec: "chara_card_v2",
    spec_version: "2.0",
    data: {
      name: unique("Card "),
      description: "Keeper of the lighthouse.",
      personality: "Patient, dry humour.",
      scenario: "A storm over the harbour.",
      first_mes: "Mind the stairs.",
      mes_example: "<START>\n{{char}}: The light must stay lit.",
      creator_notes: "Lighthouse keeper\nMore notes.",
      alternate_greetings: ["Another storm, then.", "You are soaked."],
      tags: ["cozy", "maritime"],
      extensions: { x_custom: { a: 1 } },
    },
  });

  const importCard = (as: Session | undefined, body: unknown) =>
    api.call("/api/characters/import", { method: "POST", ...(as ? { as } : {}), json: body });

  it("imports a card as a private character with the mapped fields", async () => {
    const source = card();
    const res = await importCard(alice, source);
    expect(res.status).toBe(201);
    const { character } = (await res.json()) as { character: Character };
    expect(character).toMatchObject({
      creatorId: alice.userId,
      name: source.data.name,
      description: source.data.description,
      greeting: source.data.first_mes,
      scenario: source.data.scenario,
      exampleDialogues: source.data.mes_example,
      tagline: "Lighthouse keeper",
      visibility: "private",
    });
  });

  it("exports the card with the mapped fields and everything it did not model", async () => {
    const source = card();
    const { character } = (await (await importCard(alice, source)).json()) as { character: Character };
    const res = await api.call(`/api/characters/${character.id}/card`, { as: alice });
    expect(res.status).toBe(200);
    const exported = (await res.json()) as { spec: string; spec_version: string; data: Record<string, unknown> };
    expect(exported.spec).toBe("chara_card_v2");
    expect(exported.spec_version).toBe("2.0");
    expect(exported.data).toMatchObject(source.data);
    expect(exported.data.extensions).toEqual({ x_custom: { a: 1 } });

    // Edits made in the app show in the next export; the rest survives them.
    expect((await patch(alice, character.id, { greeting: "Edited hello" })).status).toBe(200);
    const again = (await (await api.call(`/api/characters/${character.id}/card`, { as: alice })).json()) as typeof exported;
    expect(again.data).toMatchObject({ ...source.data, first_mes: "Edited hello" });
  });

  it("exports only what the caller may read", async () => {
    const { character } = (await (await importCard(alice, card())).json()) as { character: Character };
    expect((await api.call(`/api/characters/${character.id}/card`, { as: bob })).status).toBe(404);
    expect((await api.call(`/api/characters/${character.id}/card`)).status).toBe(401);
  });

  it("refuses invalid JSON, another spec, and a card without a name with 400", async () => {
    const bad = await api.call("/api/characters/import", {
      method: "POST",
      as: alice,
      headers: { "content-type": "application/json" },
      body: '{"spec": "chara_card_v2", ',
    });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("invalid_json");

    const other = await importCard(alice, { ...card(), spec: "chara_card_v1" });
    expect(other.status).toBe(400);
    expect(await errorOf(other)).toMatchObject({ code: "invalid_input", field: "spec" });

    const source = card();
    const nameless = await importCard(alice, { ...source, data: { ...source.data, name: "" } });
    expect(nameless.status).toBe(400);
    expect(await errorOf(nameless)).toMatchObject({ code: "invalid_input", field: "data.name" });

    expect((await importCard(undefined, card())).status).toBe(401);
  });
});

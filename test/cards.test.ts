/**
 * Cards, avatars and the gallery end to end in workerd: import of every
 * corpus card (JSON V1/V2/V3, PNG with chara, ccv3 or both), export as JSON
 * and PNG, malformed cards refused with nothing written, avatar upload and
 * serving, full-text search, tags and sorts.
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { avatarPng, chunk, textChunk } from "../dev/png-encode";
import type { Stack } from "../dev/stack";
import { readPngCard } from "../worker/characters/png-card";
import { readChunks } from "../worker/images/png-chunks";
import type { Character } from "../worker/shared/wire";
import { client, type Session, startWorker, unique } from "./worker";

let worker: Stack;
let api: ReturnType<typeof client>;
let alice: Session;
let bob: Session;

const corpus = (name: string) => readFileSync(`test/cards/${name}`);
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;

function importFile(as: Session | undefined, bytes: Uint8Array, type = "application/octet-stream") {
  return api.call("/api/characters/import", {
    method: "POST",
    ...(as ? { as } : {}),
    headers: { "content-type": type },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
}

async function imported(as: Session, name: string): Promise<Character> {
  const res = await importFile(as, corpus(name), name.endsWith(".png") ? "image/png" : "application/json");
  if (res.status !== 201) throw new Error(`${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { character: Character }).character;
}

/**
 * Posts `size` bytes and reads the answer even if the server answers and
 * closes before the body is all sent (fetch reports that as a reset).
 */
function sendHuge(method: string, path: string, as: Session, size: number, announce: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${as.token}`, "content-type": "application/json" };
    // Announced: wait for 100 Continue, as curl does with a large body; the server answers from the headers alone.
    if (announce) Object.assign(headers, { "content-length": size, expect: "100-continue" });
    const req = request(`${worker.url}${path}`, { method, headers });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (!answered && sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) return req.once("drain", pump);
      }
      req.end();
    };
    if (announce) req.on("continue", pump);
    else pump();
  });
}

async function objectKeys(): Promise<string[]> {
  const bucket = await worker.mf.getR2Bucket("AVATARS");
  return (await bucket.list({ prefix: "avatars/" })).objects.map((o) => o.key);
}

async function myCharacters(as: Session): Promise<string[]> {
  const res = await api.call("/api/characters?sort=recent", { as });
  return ((await res.json()) as { characters: Character[] }).characters.filter((c) => c.creatorId === as.userId).map((c) => c.id);
}

beforeAll(async () => {
  worker = await startWorker();
  api = client(worker.url);
  [alice, bob] = await Promise.all([api.register(unique("alice")), api.register(unique("bob"))]);
});

afterAll(async () => {
  await worker?.close();
});

describe("import", () => {
  it.each([
    ["v1-bram.json", "Bram", "A grumpy ferryman", ["fantasy", "river"]],
    ["v2-vela.json", "Captain Vela", "Space captain with a heart of gold", ["sci-fi", "captain"]],
    ["v3-nyx.json", "Nyx", "A cartographer of moving cities", ["mystery"]],
    ["lorebook-heavy.json", "Harbourmaster Ysolde", "Harbourmaster of a lore-heavy city", ["fantasy", "lore"]],
    ["macro-heavy.json", "Pip", "Clockwork fox, macro test", ["cute"]],
  ])("imports %s as a private character with its tags", async (file, name, tagline, tags) => {
    const ch = await imported(alice, file);
    expect(ch).toMatchObject({ name, tagline, tags, visibility: "private", creatorId: alice.userId, avatarUrl: null });
  });

  it("imports a PNG card: its picture becomes the avatar, without the card or metadata chunks", async () => {
    const ch = await imported(alice, "png-chara.png");
    expect(ch).toMatchObject({ name: "Mossback", tags: ["swamp", "comedy"] });
    expect(ch.avatarUrl).toMatch(/^\/api\/avatars\/[0-9a-f]{64}$/);
    const res = await api.call(ch.avatarUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    const bytes = new Uint8Array(await res.arrayBuffer());
    const read = readChunks(bytes);
    expect(read.ok && read.chunks.map((c) => c.name)).toEqual(["IHDR", "IDAT", "IEND"]);
    const source = readChunks(corpus("png-chara.png"));
    const idat = (r: typeof read) => (r.ok ? Buffer.from(r.chunks.find((c) => c.name === "IDAT")!.data) : null);
    expect(idat(read)?.equals(idat(source)!)).toBe(true);
    // Cached for good: a revalidation costs nothing.
    const again = await api.call(ch.avatarUrl!, { headers: { "if-none-match": res.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });

  it("imports a PNG with ccv3, and prefers ccv3 when both chunks are there", async () => {
    expect((await imported(alice, "png-ccv3.png")).name).toBe("Quill");
    expect((await imported(alice, "png-both.png")).name).toBe("Ember");
  });

  it.each([
    ["malformed-bad-base64.png", 400, "invalid_card", /base64/],
    ["malformed-truncated.png", 400, "invalid_card", /truncated/],
    ["malformed-crc.png", 400, "invalid_card", /checksum/],
    ["malformed-no-card.png", 400, "invalid_card", /no character card/],
    ["malformed-nested.json", 400, "invalid_card", /nested more than 64/],
    ["malformed-not-json.json", 400, "invalid_json", /not valid JSON/],
    ["malformed-nul.json", 400, "invalid_input", /U\+0000/],
    ["oversized-field.json", 400, "invalid_input", /data\.description/],
  ])("refuses %s with %i %s and writes nothing", async (file, status, code, message) => {
    const who = await api.register();
    const before = await objectKeys();
    const res = await importFile(who, corpus(file));
    expect(res.status).toBe(status);
    const error = await errorOf(res);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(await myCharacters(who)).toEqual([]);
    expect(await objectKeys()).toEqual(before);
  });

  it("names the field holding U+0000", async () => {
    expect(await errorOf(await importFile(alice, corpus("malformed-nul.json")))).toMatchObject({ field: "data.description" });
  });

  it("refuses 10 MB with 413, and a chunked body one byte over the limit too", async () => {
    // Unannounced, the server must read up to the limit to know; one byte over keeps the test free of a reset
    // racing the answer (a bigger unread rest makes the server's close a reset that can beat the 413 to the client).
    for (const [size, announce] of [
      [10 * 1024 * 1024, true],
      [8 * 1024 * 1024 + 1, false],
    ] as const) {
      const { status, body } = await sendHuge("POST", "/api/characters/import", alice, size, announce);
      expect(status).toBe(413);
      expect(JSON.parse(body).error.code).toBe("content_too_large");
    }
  });

  it("refuses card data over 1 MB with 413, as JSON or inside a PNG under the PNG limit", async () => {
    const big = `{"name":"x","description":"${"y".repeat(1536 * 1024)}"}`;
    const res = await importFile(alice, new TextEncoder().encode(big));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toMatch(/larger than 1 MB/);
    const png = avatarPng(7, 16, [textChunk("chara", Buffer.from(big).toString("base64"))]);
    const inPng = await importFile(alice, png, "image/png");
    expect(inPng.status).toBe(413);
  });

  it("needs a token", async () => {
    expect((await importFile(undefined, corpus("v2-vela.json"))).status).toBe(401);
  });
});

describe("export", () => {
  it("exports JSON in the card's own spec (V3 stays V3) or the one asked for, unknown fields kept", async () => {
    const ch = await imported(alice, "v3-nyx.json");
    const source = JSON.parse(corpus("v3-nyx.json").toString("utf8"));
    const v3 = (await (await api.call(`/api/characters/${ch.id}/card`, { as: alice })).json()) as Record<string, unknown> & {
      data: object;
    };
    expect(v3).toMatchObject({ spec: "chara_card_v3", spec_version: "3.0", x_envelope_note: source.x_envelope_note });
    expect(v3.data).toEqual(source.data);
    const v2 = (await (await api.call(`/api/characters/${ch.id}/card?spec=v2`, { as: alice })).json()) as { spec: string; data: object };
    expect(v2.spec).toBe("chara_card_v2");
    expect(v2.data).toMatchObject({ name: "Nyx", character_book: source.data.character_book });
    expect((await api.call(`/api/characters/${ch.id}/card?spec=v9`, { as: alice })).status).toBe(400);
  });

  it("round-trips through the API: import the export, export again, the same card", async () => {
    for (const file of ["v1-bram.json", "v2-vela.json", "v3-nyx.json", "macro-heavy.json"]) {
      const first = await imported(alice, file);
      const out1 = await (await api.call(`/api/characters/${first.id}/card`, { as: alice })).text();
      const second = (await (await importFile(alice, new TextEncoder().encode(out1), "application/json")).json()) as {
        character: Character;
      };
      const out2 = await (await api.call(`/api/characters/${second.character.id}/card`, { as: alice })).text();
      expect(JSON.parse(out2)).toEqual(JSON.parse(out1));
    }
  });

  it("exports a PNG carrying the avatar and both chunks; importing it gives the same character", async () => {
    const ch = await imported(alice, "png-chara.png");
    const res = await api.call(`/api/characters/${ch.id}/card.png`, { as: alice });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toContain('filename="Mossback.png"');
    expect(res.headers.get("x-card-image")).toBe("avatar");
    const png = new Uint8Array(await res.arrayBuffer());
    const read = readChunks(png);
    if (!read.ok) throw new Error(read.message);
    const texts = read.chunks.filter((c) => c.name === "tEXt").map((c) => Buffer.from(c.data).toString("latin1").split("\0")[0]);
    expect(texts).toEqual(["chara", "ccv3"]);
    const card = readPngCard(png);
    expect(card.ok && JSON.parse(card.json)).toMatchObject({
      spec: "chara_card_v3",
      data: { name: "Mossback", extensions: { chub: { full_path: "corpus/mossback" } } },
    });
    const again = (await (await importFile(bob, png, "image/png")).json()) as { character: Character };
    expect(again.character).toMatchObject({ name: "Mossback", tags: ch.tags, avatarUrl: ch.avatarUrl });
  });

  it("exports a PNG with a placeholder picture for a character without a PNG avatar", async () => {
    const ch = await imported(alice, "v2-vela.json");
    const res = await api.call(`/api/characters/${ch.id}/card.png`, { as: alice });
    expect(res.headers.get("x-card-image")).toBe("placeholder");
    const card = readPngCard(new Uint8Array(await res.arrayBuffer()));
    expect(card.ok && JSON.parse(card.json).data.name).toBe("Captain Vela");
  });

  it("exports only what the caller may read", async () => {
    const ch = await imported(alice, "v2-vela.json");
    expect((await api.call(`/api/characters/${ch.id}/card.png`, { as: bob })).status).toBe(404);
    expect((await api.call(`/api/characters/${ch.id}/card.png`)).status).toBe(401);
  });
});

describe("avatars", () => {
  const upload = (as: Session | undefined, id: string, body: Uint8Array) =>
    api.call(`/api/characters/${id}/avatar`, {
      method: "PUT",
      ...(as ? { as } : {}),
      body: body as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "application/octet-stream" },
    });

  it("uploads a PNG: stored stripped, served with its type, shown on the character", async () => {
    const ch = await api.character(alice);
    const png = avatarPng(9, 96, [textChunk("Comment", "taken at 51.5N by alice")]);
    const res = await upload(alice, ch.id, png);
    expect(res.status).toBe(200);
    const { character } = (await res.json()) as { character: Character };
    expect(character.avatarUrl).toMatch(/^\/api\/avatars\//);
    const served = await api.call(character.avatarUrl!);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).toString("latin1")).not.toContain("51.5N");
    const read = (await (await api.call(`/api/characters/${ch.id}`, { as: alice })).json()) as { character: Character };
    expect(read.character.avatarUrl).toBe(character.avatarUrl);
  });

  it("replacing an avatar removes the old image once nothing shows it; deleting the character removes the new one", async () => {
    const ch = await api.character(alice);
    const first = ((await (await upload(alice, ch.id, avatarPng(21, 40))).json()) as { character: Character }).character.avatarUrl!;
    const second = ((await (await upload(alice, ch.id, avatarPng(22, 40))).json()) as { character: Character }).character.avatarUrl!;
    expect(second).not.toBe(first);
    expect((await api.call(first)).status).toBe(404);
    expect((await api.call(second)).status).toBe(200);
    expect((await api.call(`/api/characters/${ch.id}`, { method: "DELETE", as: alice })).status).toBe(204);
    expect((await api.call(second)).status).toBe(404);
  });

  it("removes an avatar on request", async () => {
    const ch = await api.character(alice);
    await upload(alice, ch.id, avatarPng(23, 40));
    const res = await api.call(`/api/characters/${ch.id}/avatar`, { method: "DELETE", as: alice });
    expect(((await res.json()) as { character: Character }).character.avatarUrl).toBeNull();
  });

  it("refuses a GIF or HTML with 415, a huge picture with 413, a damaged PNG with 400, 6 MB with 413", async () => {
    const ch = await api.character(alice);
    const gif = await upload(alice, ch.id, Buffer.from("GIF89a\x01\0\x01\0", "latin1"));
    expect([gif.status, (await errorOf(gif)).code]).toEqual([415, "unsupported_media_type"]);
    const html = await upload(alice, ch.id, Buffer.from("<html><script>alert(1)</script></html>"));
    expect(html.status).toBe(415);
    const huge = Buffer.from(avatarPng(1, 8));
    huge.writeUInt32BE(10_000, 16);
    const tooBig = await upload(alice, ch.id, huge);
    expect([tooBig.status, (await errorOf(tooBig)).code]).toEqual([413, "image_too_large"]);
    const damaged = Buffer.concat([avatarPng(1, 8).subarray(0, 40)]);
    const bad = await upload(alice, ch.id, damaged);
    expect([bad.status, (await errorOf(bad)).code]).toEqual([400, "invalid_image"]);
    const heavy = await sendHuge("PUT", `/api/characters/${ch.id}/avatar`, alice, 6 * 1024 * 1024, true);
    expect(heavy.status).toBe(413);
    const after = (await (await api.call(`/api/characters/${ch.id}`, { as: alice })).json()) as { character: Character };
    expect(after.character.avatarUrl).toBeNull();
  });

  it("lets only the creator set an avatar, and needs a token", async () => {
    const pub = await api.character(alice, { visibility: "public" });
    const priv = await api.character(alice);
    expect((await upload(bob, pub.id, avatarPng(1, 8))).status).toBe(403);
    expect((await upload(bob, priv.id, avatarPng(1, 8))).status).toBe(404);
    expect((await upload(undefined, pub.id, avatarPng(1, 8))).status).toBe(401);
  });

  it("answers 404 for an unknown or malformed avatar key", async () => {
    expect((await api.call(`/api/avatars/${"0".repeat(64)}`)).status).toBe(404);
    expect((await api.call("/api/avatars/..%2F..%2Fetc")).status).toBe(404);
  });

  it("strips the metadata chunks of an eXIf-carrying PNG", async () => {
    const ch = await api.character(alice);
    const res = await upload(alice, ch.id, avatarPng(5, 16, [chunk("eXIf", Buffer.from("MM\0*GPS-SECRET"))]));
    const url = ((await res.json()) as { character: Character }).character.avatarUrl!;
    expect(Buffer.from(await (await api.call(url)).arrayBuffer()).toString("latin1")).not.toContain("GPS-SECRET");
  });
});

describe("gallery: search, tags, sorts", () => {
  const list = async (as: Session, query: Record<string, string>) => {
    const res = await api.call(`/api/characters?${new URLSearchParams(query)}`, { as });
    expect(res.status).toBe(200);
    return (await res.json()) as { characters: Character[]; nextCursor: string | null };
  };
  let marker: string;
  let pirate: { id: string };
  let navigator: { id: string };
  let baker: { id: string };

  beforeAll(async () => {
    marker = unique("zq");
    pirate = await api.character(alice, {
      name: `${marker} Rell`,
      tagline: "A sky-pirate with a wooden leg",
      description: "Rell sails the clouds.",
      visibility: "public",
      tags: ["Adventure", marker],
    });
    navigator = await api.character(alice, {
      name: `${marker} Oona`,
      tagline: "Navigator",
      description: "Oona once served with pirates, and regrets nothing.",
      visibility: "public",
      tags: ["adventure", marker],
    });
    baker = await api.character(alice, {
      name: `${marker} Bo`,
      tagline: "Baker",
      description: "Bread.",
      visibility: "public",
      tags: [marker, "cozy"],
    });
  });

  it("finds a word of the tagline, ranks it above a stemmed match in a description", async () => {
    const found = (await list(bob, { q: `pirate ${marker}` })).characters.map((c) => c.id);
    expect(found).toEqual([pirate.id, navigator.id]);
  });

  it("filters by tag (any case) and lists tags with their counts", async () => {
    const cozy = (await list(bob, { tag: "COZY", q: marker })).characters.map((c) => c.id);
    expect(cozy).toEqual([baker.id]);
    const all = (await list(bob, { tag: marker })).characters.map((c) => c.id);
    expect(all.sort()).toEqual([pirate.id, navigator.id, baker.id].sort());
    const tags = ((await (await api.call("/api/characters/tags", { as: bob })).json()) as { tags: { tag: string; count: number }[] }).tags;
    expect(tags.find((t) => t.tag === "adventure")?.count).toBeGreaterThanOrEqual(2);
  });

  it("sorts by recent (newest first) and by most chatted", async () => {
    expect((await list(bob, { tag: marker, sort: "recent" })).characters.map((c) => c.id)).toEqual([baker.id, navigator.id, pirate.id]);
    const carol = await api.register();
    for (const who of [bob, carol]) expect((await api.say(who, navigator.id, "hello")).status).toBe(200);
    expect((await api.say(bob, baker.id, "hello")).status).toBe(200);
    expect((await list(bob, { tag: marker, sort: "popular" })).characters.map((c) => c.id)).toEqual([navigator.id, baker.id, pirate.id]);
  });

  it("pages ranked results with an offset cursor", async () => {
    const first = await list(bob, { tag: "adventure", sort: "popular" });
    if (first.nextCursor) {
      expect(first.nextCursor).toMatch(/^o\d+$/);
      const next = await list(bob, { tag: "adventure", sort: "popular", cursor: first.nextCursor });
      expect(next.characters.some((c) => first.characters.some((f) => f.id === c.id))).toBe(false);
    }
    expect((await api.call("/api/characters?sort=popular&cursor=nope", { as: bob })).status).toBe(400);
    expect((await api.call("/api/characters?sort=best", { as: bob })).status).toBe(400);
  });

  it("never shows another user's private character in search", async () => {
    const secret = await api.character(alice, { name: `${marker} Hidden pirate`, visibility: "private" });
    expect((await list(bob, { q: `${marker} pirate` })).characters.map((c) => c.id)).not.toContain(secret.id);
  });
});

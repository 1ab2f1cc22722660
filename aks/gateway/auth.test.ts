import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisReplayGuard, createTokenVerifier, parseJwks, type TokenVerifier } from "./auth";
import { connectRedis, ISSUER, makeKey, memoryReplayGuard, mintToken, type TestKey, type TestRedis, unsecuredToken } from "./test-kit";

describe("createTokenVerifier", () => {
  let current: TestKey;
  let previous: TestKey;
  let stranger: TestKey;
  let verify: TokenVerifier;

  beforeAll(async () => {
    current = await makeKey("k2");
    previous = await makeKey("k1", "ES256");
    stranger = await makeKey("k2"); // same kid, other key material
    verify = createTokenVerifier({ jwks: { keys: [previous.publicJwk, current.publicJwk] }, issuer: ISSUER, replay: memoryReplayGuard() });
  });

  it("accepts a fresh token from either key (rotation) and reads its identity", async () => {
    const a = await verify(await mintToken(current, { sub: "session-a", uid: "u-a" }));
    expect(a).toMatchObject({ ok: true, identity: { sessionId: "session-a", userId: "u-a" } });
    expect(await verify(await mintToken(previous))).toMatchObject({ ok: true });
  });

  it("refuses a replayed token", async () => {
    const token = await mintToken(current);
    expect((await verify(token)).ok).toBe(true);
    expect(await verify(token)).toEqual({ ok: false, reason: "replayed" });
  });

  it.each([
    ["expired", { exp: Math.floor(Date.now() / 1000) - 30, iat: Math.floor(Date.now() / 1000) - 90 }],
    ["wrong audience", { aud: "someone-else" }],
    ["wrong issuer", { iss: "evil-worker" }],
    ["unknown kid", { kid: "k9" }],
    ["no kid", { kid: null }],
    ["no uid claim", { uid: null }],
    ["wrong typ", { typ: "at+jwt" }],
    ["issued in the future", { iat: Math.floor(Date.now() / 1000) + 120, exp: Math.floor(Date.now() / 1000) + 180 }],
    ["a lifetime of an hour", { exp: Math.floor(Date.now() / 1000) + 3600 }],
  ] as const)("refuses a token with %s", async (_name, overrides) => {
    expect(await verify(await mintToken(current, overrides))).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a token signed by another key under a known kid", async () => {
    expect(await verify(await mintToken(stranger))).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses alg none, HS256 and garbage", async () => {
    expect(await verify(unsecuredToken("k2"))).toEqual({ ok: false, reason: "invalid" });
    const hs = await new SignJWT({ uid: "u" })
      .setProtectedHeader({ alg: "HS256", kid: "k2", typ: "JWT" })
      .setIssuer(ISSUER)
      .setAudience("llm-gateway")
      .setSubject("s")
      .setJti("j-hs")
      .setIssuedAt()
      .setExpirationTime("60s")
      .sign(new TextEncoder().encode(JSON.stringify(current.publicJwk)));
    expect(await verify(hs)).toEqual({ ok: false, reason: "invalid" });
    expect(await verify("not.a.token")).toEqual({ ok: false, reason: "invalid" });
  });

  it("tolerates a few seconds of clock skew, no more", async () => {
    const exp = Math.floor(Date.now() / 1000) - 3;
    expect((await verify(await mintToken(current, { exp, iat: exp - 60 }))).ok).toBe(true);
  });

  it("reads the user's plan limits from the limits claim, and refuses a malformed one", async () => {
    const planned = await verify(await mintToken(current, { limits: { dailyTokens: 5000, maxStreams: 1 } }));
    expect(planned.ok && planned.identity.limits).toEqual({ dailyTokens: 5000, maxStreams: 1 });
    const plain = await verify(await mintToken(current));
    expect(plain.ok && plain.identity.limits).toEqual({});
    for (const limits of [{ dailyTokens: -1 }, { dailyTokens: "lots" }, { maxStreams: 1.5 }, { other: 1 }, [1], null, "free"]) {
      expect(await verify(await mintToken(current, { limits })), JSON.stringify(limits)).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("does not spend a replay slot on an invalid token", async () => {
    const seen: string[] = [];
    const v = createTokenVerifier({
      jwks: { keys: [current.publicJwk] },
      issuer: ISSUER,
      replay: async (jti) => {
        seen.push(jti);
        return true;
      },
    });
    await v(await mintToken(current, { aud: "x" }));
    expect(seen).toEqual([]);
  });
});

describe("createRedisReplayGuard", () => {
  let r: TestRedis;
  beforeAll(() => {
    r = connectRedis();
  });
  afterAll(() => r.cleanup());

  it("takes a jti once, with the token's remaining lifetime", async () => {
    const guard = createRedisReplayGuard(r.redis, r.prefix);
    expect(await guard("abc", 42)).toBe(true);
    expect(await guard("abc", 42)).toBe(false);
    const ttl = await r.redis.ttl(`${r.prefix}jti:abc`);
    expect(ttl).toBeGreaterThan(40);
    expect(ttl).toBeLessThanOrEqual(42);
  });
});

describe("parseJwks", () => {
  it("accepts public Ed25519 and P-256 keys", async () => {
    const a = await makeKey("a");
    const b = await makeKey("b", "ES256");
    expect(parseJwks(JSON.stringify({ keys: [a.publicJwk, b.publicJwk] })).keys).toHaveLength(2);
  });

  it.each([
    ["not JSON", "nope", /not valid JSON/],
    ["an empty set", '{"keys":[]}', /no keys/],
    ["no keys member", "{}", /no keys/],
    ["a key without kid", '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA"}]}', /kid/],
    ["a private key", '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA","d":"BB","kid":"a"}]}', /private/],
    ["an RSA key", '{"keys":[{"kty":"RSA","n":"AA","e":"AQAB","kid":"a"}]}', /neither/],
    [
      "a duplicate kid",
      '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA","kid":"a"},{"kty":"OKP","crv":"Ed25519","x":"BB","kid":"a"}]}',
      /twice/,
    ],
  ])("refuses %s", (_name, text, message) => {
    expect(() => parseJwks(text)).toThrow(message);
  });
});

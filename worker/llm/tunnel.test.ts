import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { Miniflare } from "miniflare";
import { describe, expect, it } from "vitest";
import { createTokenVerifier } from "../../aks/gateway/auth";
import { generateTunnelKeys } from "../../aks/gateway/keygen";
import { memoryReplayGuard } from "../../aks/gateway/test-kit";
import { createTunnelHeaders } from "./tunnel";

const claims = { sessionId: "user:u1/character:c1", userId: "u1" };

const bearer = (headers: Record<string, string>) => headers.Authorization.replace(/^Bearer /, "");

describe("createTunnelHeaders", () => {
  it("is undefined when nothing is configured", () => {
    expect(createTunnelHeaders({ issuer: "chat-worker" }, claims)).toBeUndefined();
    expect(createTunnelHeaders({ issuer: "chat-worker", signingKey: "  " }, claims)).toBeUndefined();
    expect(createTunnelHeaders({ issuer: "chat-worker", accessClientId: "id-only" }, claims)).toBeUndefined();
  });

  it("sends only the Access service-token headers when there is no signing key", async () => {
    const make = createTunnelHeaders({ issuer: "chat-worker", accessClientId: "abc.access", accessClientSecret: "s3cret" }, claims);
    expect(await make!()).toEqual({ "CF-Access-Client-Id": "abc.access", "CF-Access-Client-Secret": "s3cret" });
  });

  it.each(["EdDSA", "ES256"] as const)("signs a %s token the gateway accepts, fresh for every attempt", async (alg) => {
    const { privateJwk, jwks } = await generateTunnelKeys(alg, `kid-${alg}`);
    const make = createTunnelHeaders(
      { issuer: "chat-worker", signingKey: JSON.stringify(privateJwk), accessClientId: "abc.access", accessClientSecret: "s3cret" },
      claims,
    )!;
    const verify = createTokenVerifier({ jwks, issuer: "chat-worker", replay: memoryReplayGuard() });

    const first = await make();
    const second = await make();
    expect(first["CF-Access-Client-Id"]).toBe("abc.access");
    expect(first.Authorization).toMatch(/^Bearer /);

    const token = bearer(first);
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: `kid-${alg}`, typ: "JWT" });
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({ iss: "chat-worker", aud: "llm-gateway", sub: claims.sessionId, uid: claims.userId });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
    expect(decodeJwt(bearer(second)).jti).not.toBe(payload.jti);

    expect(await verify(token)).toEqual({
      ok: true,
      identity: { sessionId: claims.sessionId, userId: claims.userId, jti: payload.jti, expiresAt: payload.exp, limits: {} },
    });
    expect((await verify(bearer(second))).ok).toBe(true);
    expect(await verify(token)).toEqual({ ok: false, reason: "replayed" });
  });

  it("signs the user's plan limits in, for the gateway to apply", async () => {
    const { privateJwk, jwks } = await generateTunnelKeys();
    const limits = { dailyTokens: 5000, maxStreams: 1 };
    const make = createTunnelHeaders({ issuer: "chat-worker", signingKey: JSON.stringify(privateJwk) }, { ...claims, limits })!;
    const result = await createTokenVerifier({ jwks, issuer: "chat-worker", replay: memoryReplayGuard() })(bearer(await make()));
    expect(result.ok && result.identity.limits).toEqual(limits);
  });

  it("uses the configured issuer, which the gateway checks", async () => {
    const { privateJwk, jwks } = await generateTunnelKeys();
    const make = createTunnelHeaders({ issuer: "chat-worker-staging", signingKey: JSON.stringify(privateJwk) }, claims)!;
    const token = bearer(await make());
    expect((await createTokenVerifier({ jwks, issuer: "chat-worker", replay: memoryReplayGuard() })(token)).ok).toBe(false);
    expect((await createTokenVerifier({ jwks, issuer: "chat-worker-staging", replay: memoryReplayGuard() })(token)).ok).toBe(true);
  });

  it("is refused by a gateway holding another key", async () => {
    const mine = await generateTunnelKeys("EdDSA", "same-kid");
    const theirs = await generateTunnelKeys("EdDSA", "same-kid");
    const token = bearer(await createTunnelHeaders({ issuer: "chat-worker", signingKey: JSON.stringify(mine.privateJwk) }, claims)!());
    expect(await createTokenVerifier({ jwks: theirs.jwks, issuer: "chat-worker", replay: memoryReplayGuard() })(token)).toEqual({
      ok: false,
      reason: "invalid",
    });
  });

  it("refuses a malformed key at once, without repeating it", async () => {
    const { privateJwk, jwks } = await generateTunnelKeys();
    const bad: [string, string, RegExp][] = [
      ["not JSON", `{"d":"${privateJwk.d}"`, /not valid JSON/],
      ["no kid", JSON.stringify({ ...privateJwk, kid: undefined }), /needs a kid/],
      ["an RSA alg", JSON.stringify({ ...privateJwk, alg: "RS256" }), /EdDSA or ES256/],
      ["a curve that does not match", JSON.stringify({ ...privateJwk, alg: "ES256" }), /P-256/],
      ["the public half", JSON.stringify(jwks.keys[0]), /private one/],
    ];
    for (const [name, signingKey, message] of bad) {
      let error: unknown;
      try {
        createTunnelHeaders({ issuer: "chat-worker", signingKey }, claims);
      } catch (err) {
        error = err;
      }
      expect(error, name).toBeInstanceOf(Error);
      expect((error as Error).message, name).toMatch(message);
      expect((error as Error).message, name).not.toContain(privateJwk.d!);
    }
  });

  it("stays workerd-friendly: no node: modules, no module-level mutable state", () => {
    const source = readFileSync(new URL("./tunnel.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/from "node:/);
    expect(source).not.toMatch(/^(let|var) /m);
    expect(source).not.toMatch(/^const \w+ = new (Map|Set)/m);
  });

  it.each(["EdDSA", "ES256"] as const)("runs in workerd without nodejs_compat (%s)", async (alg) => {
    // A worker that only relays the headers, bundled as wrangler would and run by miniflare.
    const bundle = await build({
      stdin: {
        contents: `import { createTunnelHeaders } from "./tunnel";
          export default { async fetch(request, env) {
            const make = createTunnelHeaders({ issuer: "chat-worker", signingKey: env.TUNNEL_SIGNING_KEY }, { sessionId: "s-1", userId: "u-1" });
            return Response.json(await make());
          } };`,
        resolveDir: new URL(".", import.meta.url).pathname,
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      write: false,
      logLevel: "silent",
    });
    const { privateJwk, jwks } = await generateTunnelKeys(alg);
    const mf = new Miniflare({
      modules: true,
      script: bundle.outputFiles[0].text,
      compatibilityDate: "2025-09-01",
      bindings: { TUNNEL_SIGNING_KEY: JSON.stringify(privateJwk) },
    });
    try {
      const headers = (await (await mf.dispatchFetch("http://worker/")).json()) as Record<string, string>;
      const verified = await createTokenVerifier({ jwks, issuer: "chat-worker", replay: memoryReplayGuard() })(bearer(headers));
      expect(verified).toMatchObject({ ok: true, identity: { sessionId: "s-1", userId: "u-1" } });
    } finally {
      await mf.dispose();
    }
  });
});

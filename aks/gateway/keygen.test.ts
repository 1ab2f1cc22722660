import { execFileSync } from "node:child_process";
import { importJWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createTokenVerifier, parseJwks } from "./auth";
import { generateTunnelKeys } from "./keygen";

describe("generateTunnelKeys", () => {
  it.each(["EdDSA", "ES256"] as const)("makes a %s pair whose public half verifies the private half's tokens", async (alg) => {
    const { privateJwk, jwks } = await generateTunnelKeys(alg);
    expect(privateJwk).toMatchObject({ alg, kid: expect.stringMatching(/^tunnel-\d{4}-\d{2}-\d{2}-/) });
    expect(privateJwk.d).toEqual(expect.any(String));
    expect(jwks.keys[0].d).toBeUndefined();
    const verify = createTokenVerifier({ jwks: parseJwks(JSON.stringify(jwks)), issuer: "chat-worker", replay: async () => true });
    const token = await new SignJWT({ uid: "u" })
      .setProtectedHeader({ alg, kid: privateJwk.kid, typ: "JWT" })
      .setIssuer("chat-worker")
      .setAudience("llm-gateway")
      .setSubject("s")
      .setJti("j")
      .setIssuedAt()
      .setExpirationTime("60s")
      .sign(await importJWK(privateJwk, alg));
    expect((await verify(token)).ok).toBe(true);
  });

  it("prints both halves from the command line", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "aks/gateway/keygen.ts", "--kid", "cli-key"], { encoding: "utf8" });
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(/^# TUNNEL_SIGNING_KEY/);
    expect(JSON.parse(lines[1])).toMatchObject({ kid: "cli-key", alg: "EdDSA", crv: "Ed25519", d: expect.any(String) });
    expect(lines[2]).toMatch(/^# GATEWAY_JWKS/);
    expect(parseJwks(lines[3]).keys[0].kid).toBe("cli-key");
  });
});

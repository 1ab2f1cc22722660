/**
 * The tunnel token: every upstream attempt to the LLM gateway carries a
 * short-lived JWT signed with the worker's own key (not the user-token key),
 * plus Cloudflare Access service-token headers when configured. Runs in
 * workerd: WebCrypto and jose only, nothing kept between calls.
 */
import { importJWK, type JWK, SignJWT } from "jose";

export interface TunnelConfig {
  /** The private JWK as JSON (TUNNEL_SIGNING_KEY), with `kid` and `alg`. */
  signingKey?: string;
  /** `iss` of the tokens (TUNNEL_ISSUER, default `chat-worker`). */
  issuer: string;
  accessClientId?: string;
  accessClientSecret?: string;
}

export const TUNNEL_AUDIENCE = "llm-gateway";

/** Who a token speaks for: the session (one conversation), its user, and the user's plan limits when known. */
export interface TunnelClaims {
  sessionId: string;
  userId: string;
  /** Signed as the `limits` claim; the gateway applies them instead of its defaults. */
  limits?: { dailyTokens: number; maxStreams: number };
}
export const TUNNEL_TOKEN_TTL_SECONDS = 60;
const CURVES = { EdDSA: ["OKP", "Ed25519"], ES256: ["EC", "P-256"] } as const;

type SigningJwk = JWK & { kid: string; alg: keyof typeof CURVES; d: string };

const isAlg = (alg: unknown): alg is keyof typeof CURVES => alg === "EdDSA" || alg === "ES256";

/** Parses TUNNEL_SIGNING_KEY; the message never repeats the key. */
function parseSigningKey(json: string): SigningJwk {
  let jwk: JWK;
  try {
    jwk = JSON.parse(json) as JWK;
  } catch {
    throw new Error("TUNNEL_SIGNING_KEY is not valid JSON");
  }
  if (typeof jwk !== "object" || jwk === null) throw new Error("TUNNEL_SIGNING_KEY is not a JWK");
  if (typeof jwk.kid !== "string" || jwk.kid === "") throw new Error("TUNNEL_SIGNING_KEY needs a kid");
  const alg: unknown = jwk.alg;
  if (!isAlg(alg)) throw new Error("TUNNEL_SIGNING_KEY alg must be EdDSA or ES256");
  const [kty, crv] = CURVES[alg];
  if (jwk.kty !== kty || jwk.crv !== crv) throw new Error(`TUNNEL_SIGNING_KEY with alg ${alg} must be a ${crv} key`);
  if (typeof jwk.d !== "string") throw new Error("TUNNEL_SIGNING_KEY is a public key; it must be the private one");
  return jwk as SigningJwk;
}

/**
 * Returns a function producing the extra upstream headers for one attempt (a
 * fresh token each call), or undefined when nothing is configured. Throws at
 * once on a malformed key rather than on the first request.
 */
export function createTunnelHeaders(cfg: TunnelConfig, claims: TunnelClaims): (() => Promise<Record<string, string>>) | undefined {
  const jwk = cfg.signingKey?.trim() ? parseSigningKey(cfg.signingKey) : undefined;
  const access: Record<string, string> =
    cfg.accessClientId && cfg.accessClientSecret
      ? { "CF-Access-Client-Id": cfg.accessClientId, "CF-Access-Client-Secret": cfg.accessClientSecret }
      : {};
  if (!jwk && Object.keys(access).length === 0) return undefined;

  return async () => {
    if (!jwk) return { ...access };
    const key = await importJWK(jwk, jwk.alg);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ uid: claims.userId, ...(claims.limits ? { limits: claims.limits } : {}) })
      .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: "JWT" })
      .setIssuer(cfg.issuer)
      .setAudience(TUNNEL_AUDIENCE)
      .setSubject(claims.sessionId)
      .setJti(crypto.randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + TUNNEL_TOKEN_TTL_SECONDS)
      .sign(key);
    return { ...access, Authorization: `Bearer ${token}` };
  };
}

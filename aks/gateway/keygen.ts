/**
 * Prints a fresh tunnel key pair: the private JWK for the worker's
 * TUNNEL_SIGNING_KEY and the public JWKS for the gateway's GATEWAY_JWKS.
 * `npx tsx aks/gateway/keygen.ts [--alg EdDSA|ES256] [--kid name]`
 */

import { pathToFileURL } from "node:url";
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from "jose";

export type TunnelAlg = "EdDSA" | "ES256";

export interface TunnelKeys {
  /** For TUNNEL_SIGNING_KEY (a worker secret). */
  privateJwk: JWK;
  /** For GATEWAY_JWKS; append it to the old set to rotate. */
  jwks: JSONWebKeySet;
}

/** A new key pair with a dated, random `kid`. */
export async function generateTunnelKeys(alg: TunnelAlg = "EdDSA", kid?: string): Promise<TunnelKeys> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const id = kid ?? `tunnel-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`;
  const meta = { kid: id, alg, use: "sig" };
  return {
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    jwks: { keys: [{ ...(await exportJWK(publicKey)), ...meta }] },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const alg = arg("--alg") ?? "EdDSA";
  if (alg !== "EdDSA" && alg !== "ES256") {
    console.error("--alg must be EdDSA or ES256");
    process.exit(1);
  }
  const keys = await generateTunnelKeys(alg, arg("--kid"));
  console.log("# TUNNEL_SIGNING_KEY (worker secret: npx wrangler secret put TUNNEL_SIGNING_KEY)");
  console.log(JSON.stringify(keys.privateJwk));
  console.log("# GATEWAY_JWKS (gateway: the value itself, or a file holding it)");
  console.log(JSON.stringify(keys.jwks));
}

/** Development secrets: generated once into an ignored file, never committed. */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const SECRETS_FILE = ".dev-secrets.json";

export function devSecrets(): { AUTH_SECRET: string; generated: boolean } {
  if (existsSync(SECRETS_FILE)) {
    const saved = JSON.parse(readFileSync(SECRETS_FILE, "utf8")) as { AUTH_SECRET?: string };
    if (saved.AUTH_SECRET) return { AUTH_SECRET: saved.AUTH_SECRET, generated: false };
  }
  const AUTH_SECRET = randomBytes(32).toString("base64url");
  writeFileSync(SECRETS_FILE, `${JSON.stringify({ AUTH_SECRET }, null, 2)}\n`, { mode: 0o600 });
  return { AUTH_SECRET, generated: true };
}

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTokenVerifier } from "./auth";
import { ISSUER, makeKey, memoryReplayGuard, mintToken, type TestKey } from "./test-kit";
import { createTrustedKeys } from "./trusted-keys";
import type { LogLine } from "./types";

describe("createTrustedKeys", () => {
  let dir: string;
  let old: TestKey;
  let rotated: TestKey;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gateway-keys-"));
    old = await makeKey("key-2026-01");
    rotated = await makeKey("key-2026-02");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (path: string, ...keys: TestKey[]) => writeFileSync(path, JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));

  it("trusts a key added to the file and stops trusting a removed one, without a restart", async () => {
    const path = join(dir, "jwks.json");
    write(path, old);
    const logs: LogLine[] = [];
    const keys = createTrustedKeys({ initial: { keys: [old.publicJwk] }, path, intervalMs: 50, log: (l) => logs.push(l) });
    const verify = createTokenVerifier({ jwks: keys.current, issuer: ISSUER, replay: memoryReplayGuard() });
    try {
      expect((await verify(await mintToken(old))).ok).toBe(true);
      expect(await verify(await mintToken(rotated))).toEqual({ ok: false, reason: "invalid" });

      write(path, old, rotated);
      await vi.waitFor(async () => expect((await verify(await mintToken(rotated))).ok).toBe(true));
      expect((await verify(await mintToken(old))).ok).toBe(true); // both during the overlap

      write(path, rotated);
      await vi.waitFor(async () => expect(await verify(await mintToken(old))).toEqual({ ok: false, reason: "invalid" }));
      expect((await verify(await mintToken(rotated))).ok).toBe(true);
      expect(logs.filter((l) => l.msg === "jwks_reloaded").map((l) => l.kids)).toEqual([["key-2026-01", "key-2026-02"], ["key-2026-02"]]);
    } finally {
      keys.close();
    }
  });

  it("keeps the keys in use when the file turns out broken, and says so once", async () => {
    const path = join(dir, "broken.json");
    write(path, old);
    const logs: LogLine[] = [];
    const keys = createTrustedKeys({ initial: { keys: [old.publicJwk] }, path, intervalMs: 0, log: (l) => logs.push(l) });
    const verify = createTokenVerifier({ jwks: keys.current, issuer: ISSUER, replay: memoryReplayGuard() });
    writeFileSync(path, '{"keys": [');
    expect(await keys.reload()).toBe(false);
    expect(await keys.reload()).toBe(false);
    writeFileSync(path, JSON.stringify({ keys: [{ ...rotated.publicJwk, d: "private" }] }));
    expect(await keys.reload()).toBe(false);
    expect((await verify(await mintToken(old))).ok).toBe(true);
    expect(logs.map((l) => l.msg)).toEqual(["jwks_reload_failed", "jwks_reload_failed"]);
    // Reload on demand (SIGHUP) with polling off.
    write(path, rotated);
    expect(await keys.reload()).toBe(true);
    expect((await verify(await mintToken(rotated))).ok).toBe(true);
    expect((await verify(await mintToken(old))).ok).toBe(false);
  });

  it("never changes keys given inline", async () => {
    const keys = createTrustedKeys({ initial: { keys: [old.publicJwk] }, intervalMs: 10, log: () => undefined });
    expect(await keys.reload()).toBe(false);
    expect(keys.current().keys.map((k) => k.kid)).toEqual(["key-2026-01"]);
    keys.close();
  });
});

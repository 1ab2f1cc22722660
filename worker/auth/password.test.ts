import { describe, expect, it } from "vitest";
import { DUMMY_HASH, hashIterations, hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "./password";

/** Production Workers refuse PBKDF2 above this; local workerd does not, so only this test notices. */
const WORKERS_PBKDF2_CAP = 100_000;

describe("password hashing parameters", () => {
  it("stays within the Workers PBKDF2 cap", () => {
    expect(PBKDF2_ITERATIONS).toBeGreaterThan(0);
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(WORKERS_PBKDF2_CAP);
  });

  it("records the scheme and its iterations in the stored hash", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^pbkdf2-sha256\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hashIterations(stored)).toBe(PBKDF2_ITERATIONS);
  });

  it("keeps the dummy hash (used for unknown users) within the cap too", () => {
    expect(hashIterations(DUMMY_HASH)).toBeLessThanOrEqual(WORKERS_PBKDF2_CAP);
  });
});

describe("verifyPassword", () => {
  it("accepts the right password and rejects a wrong one", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash, so one password hashes differently twice", async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a).not.toBe(b);
    expect(a.split("$")[2]).not.toBe(b.split("$")[2]);
    expect(await verifyPassword("same password", a)).toBe(true);
    expect(await verifyPassword("same password", b)).toBe(true);
  });

  it("verifies a hash made with other iterations, using the figure stored in it", async () => {
    const stored = await hashPassword("older account", 1_000);
    expect(hashIterations(stored)).toBe(1_000);
    expect(await verifyPassword("older account", stored)).toBe(true);
    expect(await verifyPassword("other password", stored)).toBe(false);
  });

  it("rejects stored values that are not its scheme", async () => {
    expect(await verifyPassword("anything", "")).toBe(false);
    expect(await verifyPassword("anything", "bcrypt$10$abc$def")).toBe(false);
    expect(await verifyPassword("anything", DUMMY_HASH)).toBe(false);
  });
});

/** The Cloudflare deployment builds: wrangler bundles the worker offline. */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

describe("wrangler deploy --dry-run", () => {
  it("bundles the worker with its session object, Hyperdrive and assets bindings", async () => {
    const out = mkdtempSync(join(tmpdir(), "wrangler-"));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", out],
        {
          env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
        },
      );
      expect(stdout).toMatch(/env\.CHAT_SESSION \(ChatSession\)\s+Durable Object/);
      expect(stdout).toMatch(/env\.HYPERDRIVE/);
      expect(stdout).toMatch(/env\.ASSETS/);
      expect(existsSync(join(out, "index.js"))).toBe(true);
      expect(readFileSync(join(out, "index.js"), "utf8")).toMatch(/ChatSession = class extends/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

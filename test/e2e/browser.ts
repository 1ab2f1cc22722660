/**
 * Debian's Chromium driven by playwright-core for the end-to-end tests: never
 * a downloaded browser, always a fresh profile in a temp folder.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENS = "test-results/screens";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface TestBrowser {
  /** A new isolated context (its own cookies) with one page open on `baseURL`. */
  newPage(baseURL: string, options?: { width?: number; height?: number; dark?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium with a throwaway user-data-dir, removed on close. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "e2e-chromium-"));
  // A persistent context is how playwright takes a user-data-dir; further contexts come from its browser.
  const root: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
  });
  const browser = root.browser() as Browser | null;
  const contexts: BrowserContext[] = [];
  return {
    async newPage(baseURL, options = {}) {
      const viewport = { width: options.width ?? 1200, height: options.height ?? 800 };
      const init = { baseURL, viewport, colorScheme: options.dark ? ("dark" as const) : ("light" as const) };
      const context = browser ? await browser.newContext(init) : root;
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      if (!browser) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await root.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of the page under test-results/screens/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENS, { recursive: true });
  const path = join(SCREENS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

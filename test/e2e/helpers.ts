/**
 * What the browser tests share: moving around the app, signing in, sending
 * and waiting for a reply, and the accessibility audit (axe-core from npm,
 * evaluated in the page: the app's CSP allows no injected script tag, and
 * evaluation by the driver is not a page script).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { expect } from "vitest";

import { PASSWORD } from "../worker";

export { PASSWORD };

export const assistantReplies = (p: Page) => p.locator('[data-testid="message"][data-role="assistant"]');
export const userMessages = (p: Page) => p.locator('[data-testid="message"][data-role="user"]');

/** Opens a path of the app by client-side navigation (the page itself is loaded from "/"). */
export async function visit(p: Page, base: string, path: string): Promise<void> {
  if (!p.url().startsWith(base)) await p.goto("/");
  await p.evaluate((to) => {
    history.pushState(null, "", to);
    dispatchEvent(new PopStateEvent("popstate"));
  }, path);
}

/** Signs in through the form (the account exists already). */
export async function signIn(p: Page, login: string, password = PASSWORD): Promise<void> {
  await p.goto("/");
  await p.getByLabel("Username or email").fill(login);
  await p.getByLabel("Password").fill(password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByTestId("new-character").waitFor();
}

export const idle = (p: Page) => p.locator('[data-testid="chat"][data-phase="idle"]').waitFor({ timeout: 20_000 });

export async function send(p: Page, text: string): Promise<void> {
  await idle(p);
  await p.getByTestId("composer").fill(text);
  await p.getByTestId("composer").press("Enter");
}

/** The chats list, read again until `check` holds for it (rows reach PostgreSQL through an outbox). */
export async function chatRows(p: Page, base: string): Promise<ReturnType<Page["locator"]>> {
  await visit(p, base, "/characters");
  await visit(p, base, "/chats");
  await p.locator('.chat-list[aria-busy="false"]').waitFor();
  return p.getByTestId("chat-row");
}

/** Waits for the streaming to settle: no draft, the Send button back. */
export async function settled(p: Page): Promise<void> {
  await p.getByTestId("send").waitFor({ timeout: 20_000 });
  await p.getByTestId("draft").waitFor({ state: "detached" });
  await idle(p);
}

/** Opens a message's "More" menu and picks an item (by test id). */
export async function more(message: ReturnType<Page["locator"]>, item: string): Promise<void> {
  await message.hover();
  await message.getByTestId("more").click();
  await message.getByTestId(item).click();
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core on the page as it is; returns the serious and critical violations. */
export async function audit(p: Page): Promise<Violation[]> {
  if (!(await p.evaluate(() => "axe" in window))) await p.evaluate(AXE);
  return p.evaluate(async () => {
    type Axe = {
      run: (
        ctx: Document,
        opts: object,
      ) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }>;
    };
    const axe = (window as unknown as { axe: Axe }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
  });
}

/** Fails with the violations listed when the page has any serious or critical one. */
export async function expectAccessible(p: Page, where: string): Promise<void> {
  const found = await audit(p);
  expect(found, `${where}: ${JSON.stringify(found, null, 1)}`).toEqual([]);
}

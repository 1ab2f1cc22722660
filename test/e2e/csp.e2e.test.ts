/**
 * The web client under its Content-Security-Policy, in Debian's Chromium:
 * sign up, create a character and chat, with every CSP violation the page
 * reports (the `securitypolicyviolation` event, console errors) collected,
 * and none allowed (issue 10 item 14).
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../dev/stack";
import { startWorker, unique } from "../worker";
import { launchBrowser, type TestBrowser } from "./browser";

let stack: Stack;
let browser: TestBrowser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  stack = await startWorker();
  browser = await launchBrowser();
  page = await browser.newPage(stack.url);
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const violations = () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

describe("the app under its Content-Security-Policy", () => {
  it("is served with the policy, and signs up, creates a character and chats with no violation", async () => {
    const res = await page.goto("/");
    const csp = res?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");

    const name = unique("csp");
    await page.evaluate(() => {
      history.pushState(null, "", "/register");
      dispatchEvent(new PopStateEvent("popstate"));
    });
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Email").fill(`${name}@example.test`);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByTestId("new-character").click();
    await page.getByLabel("Name").fill("Policy Pat");
    await page.getByLabel("Description").fill("Keeps to the rules.");
    await page.getByLabel("Greeting").fill("Hello, **{{user}}**.");
    await page.getByRole("button", { name: "Create and chat" }).click();
    await page.waitForURL(/\/chat\//);
    await page.locator('[data-testid="chat"][data-phase="idle"]').waitFor();
    await page.getByTestId("composer").fill("Are the rules kept?");
    await page.getByTestId("composer").press("Enter");
    const reply = page.locator('[data-testid="message"][data-role="assistant"][data-status="complete"]').last();
    await expect.poll(() => reply.textContent(), { timeout: 20_000 }).toMatch(/development model/);
    // Nothing the app did was refused (a 401 from the first, cookie-less refresh is not a policy matter).
    expect(await violations()).toEqual([]);
    expect(problems.filter((p) => /Content.Security.Policy|Refused to/i.test(p))).toEqual([]);
    // And the listener is live: an inline script the page is made to run is refused and reported.
    await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__inline = 1";
      document.body.appendChild(s);
    });
    await expect.poll(async () => (await violations()).length).toBe(1);
    expect((await violations())[0]).toMatch(/^script-src/);
    expect(await page.evaluate(() => (window as { __inline?: number }).__inline)).toBeUndefined();
  }, 90_000);
});

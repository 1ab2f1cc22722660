/**
 * The app as everyone must be able to use it, in Debian's Chromium against
 * the real worker: an axe-core audit of every page in both themes (no
 * serious or critical violation), the whole chat by keyboard only, the
 * theme switch, 44 px touch targets on a phone, an installable manifest,
 * a quiet signed-out load, and the screenshots of the main screens
 * (UPDATE_DOCS_SCREENSHOTS=1 writes them to web/docs/ for the README).
 */
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { Stack } from "../../dev/stack";
import { client, type Session, startWorker, unique } from "../worker";
import { launchBrowser, screenshot, type TestBrowser } from "./browser";
import { assistantReplies, audit, expectAccessible, idle, PASSWORD, settled, signIn, userMessages, visit } from "./helpers";

let stack: Stack;
let browser: TestBrowser;
let page: Page;
let api: ReturnType<typeof client>;
let me: Session;
let mira = "";
let ode = "";
const go = (p: Page, path: string) => visit(p, stack.url, path);

const REPLY = [
  "Here is the course plot:",
  "",
  "```ts",
  "const heading = plot({ from: 'Vesta', to: 'Ceres' });",
  "```",
  "",
  "| leg | days |",
  "| --- | --- |",
  "| Vesta to Ceres | 12 |",
].join("\n");

beforeAll(async () => {
  stack = await startWorker();
  api = client(stack.url);
  me = await api.register(unique("ally"));
  const ch = await api.character(me, { name: "Captain Mira", tagline: "Starship captain", greeting: "Welcome aboard, {{user}}." });
  mira = ch.id;
  ode = (await api.character(me, { name: "Archivist Ode", tagline: "Keeper of records", visibility: "public" })).id;
  expect((await api.say(me, mira, "Plot us a course to Ceres, please.")).status).toBe(200);
  const turn = await api.say(me, mira, "And show me the plot.");
  const edited = await api.call(`/api/chats/${mira}/messages/${turn.body.reply.id}`, { method: "PATCH", as: me, json: { content: REPLY } });
  expect(edited.status).toBe(200);
  browser = await launchBrowser();
  page = await browser.newPage(stack.url, { width: 1280, height: 800 });
  page.on("pageerror", (err) => console.error("page error:", err.message));
  await signIn(page, me.username);
}, 90_000);

beforeEach(() => {
  onTestFailed(async ({ task }) => {
    await screenshot(page, `a11y-failed-${task.name.replace(/\W+/g, "-").slice(0, 50)}`).catch(() => {});
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function openChat(p: Page): Promise<void> {
  await go(p, `/chat/${mira}`);
  await idle(p);
  await p.locator(".messages .hljs").first().waitFor();
}

describe("accessibility audit (axe-core)", () => {
  it("finds no serious or critical violation on any page, light or dark", async () => {
    // The audit can fail: a nameless button is caught.
    const probe = await browser.newPage(stack.url);
    await probe.goto("/");
    await probe.getByTestId("login-form").waitFor();
    await probe.evaluate(() => document.body.appendChild(document.createElement("button")));
    expect((await audit(probe)).map((v) => v.id)).toContain("button-name");
    await probe.context().close();

    const out = await browser.newPage(stack.url);
    await out.goto("/");
    await out.getByTestId("login-form").waitFor();
    await expectAccessible(out, "sign in");
    await go(out, "/register");
    await out.getByRole("button", { name: "Sign up" }).click(); // with its errors shown
    await out.getByText("Username is required.").waitFor();
    await expectAccessible(out, "sign up with errors");
    await out.context().close();

    for (const theme of ["light", "dark"] as const) {
      await page.getByTestId("theme").selectOption(theme);
      await go(page, "/characters");
      await page.getByTestId("character-card").first().waitFor();
      await expectAccessible(page, `${theme} gallery`);
      await go(page, "/characters/new");
      await page.getByTestId("character-form").waitFor();
      await expectAccessible(page, `${theme} new character`);
      await openChat(page);
      await expectAccessible(page, `${theme} chat`);
      await page.getByTestId("open-memories").click();
      await page.getByTestId("memories-panel").waitFor();
      await expectAccessible(page, `${theme} memories`);
      await page.keyboard.press("Escape");
      const reply = assistantReplies(page).last();
      await reply.hover();
      await reply.getByTestId("more").click();
      await expectAccessible(page, `${theme} message menu`);
      await reply.getByTestId("why").click();
      await page.getByTestId("ledger").waitFor();
      await expectAccessible(page, `${theme} ledger`);
      await page.keyboard.press("Escape");
      await go(page, "/chats");
      await page.getByTestId("chat-row").first().waitFor();
      await expectAccessible(page, `${theme} chats`);
      await go(page, "/search?q=Ceres");
      await page.getByTestId("search-hit").first().waitFor();
      await expectAccessible(page, `${theme} search`);
      await go(page, "/profile");
      await page.getByTestId("personas").waitFor();
      await expectAccessible(page, `${theme} profile`);
    }
    await page.getByTestId("theme").selectOption("system");
  }, 90_000);
});

describe("keyboard only", () => {
  it("reaches the composer, sends with Enter, breaks lines with Shift+Enter, opens message menus and stops a reply with Escape", async () => {
    await go(page, `/chat/${ode}`);
    await idle(page);
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    // Tab from the top of the page until the message box has focus; every stop on the way is visibly focused.
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        return { testid: el.dataset.testid ?? "", outline: s.outlineStyle !== "none" || s.boxShadow !== "none" };
      });
      expect(focus?.outline, `focus ring on ${JSON.stringify(focus)}`).toBe(true);
      reached = focus?.testid === "composer";
    }
    expect(reached).toBe(true);
    await page.keyboard.type("By keyboard alone");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("second line [[long:400]] [[gap:30]]");
    await page.keyboard.press("Enter");
    await page.getByTestId("draft").waitFor();
    await page.keyboard.press("Escape");
    await settled(page);
    await expect.poll(() => assistantReplies(page).last().getAttribute("data-status")).toBe("cancelled");
    await expect.poll(() => userMessages(page).last().textContent()).toContain("By keyboard alone\nsecond line");

    // Shift+Tab back from the box to the last message's tools; the menu opens with Enter and closes with Escape.
    await page.getByTestId("composer").focus();
    let onMore = false;
    for (let i = 0; i < 12 && !onMore; i++) {
      await page.keyboard.press("Shift+Tab");
      onMore = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid === "more");
    }
    expect(onMore).toBe(true);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("menuitem");
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("menuitem");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe("more");
    await expect.poll(() => page.locator('[role="menu"]').count()).toBe(0);
    // Nothing was stopped or lost by that Escape: the chat is idle and intact.
    await idle(page);
  });
});

describe("themes, phones and installing", () => {
  it("switches between light, dark and the system theme, and keeps the choice", async () => {
    const p = await browser.newPage(stack.url, { dark: true });
    await p.goto("/");
    const bg = () => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await expect.poll(bg).toBe("rgb(17, 18, 23)");
    await p.getByTestId("theme").selectOption("light");
    await expect.poll(bg).toBe("rgb(246, 246, 249)");
    await p.reload();
    await expect.poll(() => p.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
    await expect.poll(bg).toBe("rgb(246, 246, 249)");
    await p.getByTestId("theme").selectOption("system");
    await expect.poll(bg).toBe("rgb(17, 18, 23)");
    await p.context().close();
  });

  it("gives every control of the chat at least 44 px on a phone", async () => {
    const phone = await browser.newPage(stack.url, { width: 375, height: 740 });
    await signIn(phone, me.username);
    await openChat(phone);
    const small = await phone.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>(".chat button, .chat select, .chat a, .topbar button, .topbar a, .topbar select")]
        .filter((el) => el.offsetParent !== null && !el.classList.contains("skip"))
        .map((el) => ({ what: el.dataset.testid || el.textContent?.trim().slice(0, 20), ...el.getBoundingClientRect().toJSON() }))
        .filter((r) => r.height < 44 || r.width < 44),
    );
    expect(small).toEqual([]);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.context().close();
  });

  it("is installable: a manifest with its icons, and no installability error", async () => {
    const manifestUrl = await page.locator('link[rel="manifest"]').getAttribute("href");
    const res = await fetch(new URL(manifestUrl ?? "", stack.url));
    expect(res.status).toBe(200);
    const manifest = (await res.json()) as { name: string; display: string; start_url: string; icons: { src: string; sizes: string }[] };
    expect(manifest.display).toBe("standalone");
    for (const size of ["192x192", "512x512"]) {
      const icon = manifest.icons.find((i) => i.sizes === size);
      const png = Buffer.from(await (await fetch(new URL(icon?.src ?? "", stack.url))).arrayBuffer());
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(size);
    }
    const cdp = await page.context().newCDPSession(page);
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as { installabilityErrors: { errorId: string }[] };
    // A test context is off the record, which Chromium never installs from; nothing else may stand in the way.
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== "in-incognito")).toEqual([]);
  });

  it("makes no refresh call and logs no error on a signed-out load, and keeps a session across a reload", async () => {
    const p = await browser.newPage(stack.url);
    const refreshes: string[] = [];
    const errors: string[] = [];
    p.on("request", (r) => r.url().includes("/api/auth/refresh") && refreshes.push(r.url()));
    p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await p.goto("/");
    await p.getByTestId("login-form").waitFor();
    await p.reload();
    await p.getByTestId("login-form").waitFor();
    expect(refreshes).toEqual([]);
    expect(errors).toEqual([]);
    await p.getByLabel("Username or email").fill(me.username);
    await p.getByLabel("Password").fill(PASSWORD);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.getByTestId("new-character").waitFor();
    await p.reload();
    await p.getByTestId("new-character").waitFor();
    expect(refreshes.length).toBe(1);
    expect(errors).toEqual([]);
    await p.context().close();
  });
});

describe("screenshots of the main screens", () => {
  it("takes the gallery, a chat, the chats list and the profile at 1280 and 375 px, light and dark", async () => {
    const dir = process.env.UPDATE_DOCS_SCREENSHOTS ? "web/docs" : "test-results/screens";
    mkdirSync(dir, { recursive: true });
    for (const width of [1280, 375]) {
      for (const dark of [false, true]) {
        const p = await browser.newPage(stack.url, { width, height: width > 600 ? 800 : 760, dark });
        await signIn(p, me.username);
        const shot = async (name: string) => p.screenshot({ path: `${dir}/${name}-${width}-${dark ? "dark" : "light"}.png` });
        await p.getByTestId("character-card").first().waitFor();
        await shot("gallery");
        await openChat(p);
        await shot("chat");
        await go(p, "/chats");
        await p.getByTestId("chat-row").first().waitFor();
        await shot("chats");
        await go(p, "/profile");
        await p.getByTestId("personas").waitFor();
        await shot("profile");
        await p.context().close();
      }
    }
  }, 120_000);
});

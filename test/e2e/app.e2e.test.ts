/**
 * The web client end to end: Debian's Chromium against the real worker in
 * workerd, real PostgreSQL and Redis, and the development LLM. One user's
 * story runs in order (sign up → character → chat → reload → stop → resume →
 * sign out and in), then a second user checks they see none of it.
 * Screenshots of the main screens land in test-results/screens/.
 * E2E_BASE_URL=http://127.0.0.1:8787 points it at a running server instead.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { Stack } from "../../dev/stack";
import { client, startWorker, unique } from "../worker";
import { launchBrowser, screenshot, type TestBrowser } from "./browser";

const PASSWORD = "correct horse battery";
let stack: Pick<Stack, "url" | "close">;
let browser: TestBrowser;
let page: Page;
let characterId = "";
const alice = unique("alice");

const assistantReplies = (p: Page) => p.locator('[data-testid="message"][data-role="assistant"]');
const userMessages = (p: Page) => p.locator('[data-testid="message"][data-role="user"]');

/** Opens a path of the app by client-side navigation (the page itself is loaded from "/"). */
async function visit(p: Page, path: string): Promise<void> {
  if (!p.url().startsWith(stack.url)) await p.goto("/");
  await p.evaluate((to) => {
    history.pushState(null, "", to);
    dispatchEvent(new PopStateEvent("popstate"));
  }, path);
}

/** Puts Alice's page back on Mira's chat, so one failed step does not fail the rest. */
async function onChat(p: Page): Promise<void> {
  if (!p.url().endsWith(`/chat/${characterId}`)) await visit(p, `/chat/${characterId}`);
  await p.locator('[data-testid="chat"][data-phase="idle"]').waitFor();
}

async function signUp(p: Page, username: string): Promise<void> {
  await visit(p, "/register");
  await p.getByLabel("Username").fill(username);
  await p.getByLabel("Email").fill(`${username}@example.test`);
  await p.getByLabel("Password").fill(PASSWORD);
  await p.getByRole("button", { name: "Sign up" }).click();
  await p.getByTestId("new-character").waitFor();
}

async function send(p: Page, text: string): Promise<void> {
  await p.locator('[data-testid="chat"][data-phase="idle"]').waitFor();
  await p.getByTestId("composer").fill(text);
  await p.getByTestId("composer").press("Enter");
}

/** Waits for the streaming to settle: no draft, no typing, the Send button back. */
async function settled(p: Page): Promise<void> {
  await p.getByTestId("send").waitFor({ timeout: 20_000 });
  await p.getByTestId("draft").waitFor({ state: "detached" });
}

beforeAll(async () => {
  // E2E_BASE_URL runs the suite against a server that is already up (e.g. `npm start`).
  const external = process.env.E2E_BASE_URL;
  stack = external ? { url: external.replace(/\/$/, ""), close: async () => {} } : await startWorker();
  browser = await launchBrowser();
  page = await browser.newPage(stack.url);
  page.on("pageerror", (err) => console.error("page error:", err.message));
  page.on("console", (m) => m.type() === "error" && console.error("console:", m.text()));
}, 60_000);

beforeEach(() => {
  onTestFailed(async ({ task }) => {
    await screenshot(page, `failed-${task.name.replace(/\W+/g, "-").slice(0, 60)}`).catch(() => {});
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("web client", () => {
  it("signs up, shows the development-LLM banner, and lands on the catalogue", async () => {
    await signUp(page, alice);
    await expect.poll(() => page.getByTestId("dev-banner").textContent()).toMatch(/Development LLM/);
    await expect.poll(() => page.getByTestId("nav-profile").textContent()).toContain(alice);
  });

  it("explains a taken username", async () => {
    const other = await browser.newPage(stack.url);
    await visit(other, "/register");
    await other.getByLabel("Username").fill(alice);
    await other.getByLabel("Email").fill(`${unique("x")}@example.test`);
    await other.getByLabel("Password").fill(PASSWORD);
    await other.getByRole("button", { name: "Sign up" }).click();
    await other.getByText("That username is taken.").waitFor();
    await other.context().close();
  });

  it("creates a character and opens its chat with the greeting", async () => {
    await page.getByTestId("new-character").click();
    await page.getByLabel("Name").fill("Captain Mira");
    await page.getByLabel("Tagline").fill("Starship captain with a dry wit");
    await page.getByLabel("Description").fill("A calm, sardonic captain of the freighter *Kestrel*.");
    await page.getByLabel("Greeting").fill("Welcome aboard the **Kestrel**, {{user}}. Mind the cargo.");
    await page.getByLabel(/Public/).check();
    await screenshot(page, "character-form");
    await page.getByRole("button", { name: "Create and chat" }).click();
    await page.waitForURL(/\/chat\//);
    characterId = page.url().split("/chat/")[1];
    await expect.poll(() => page.getByTestId("chat-title").textContent()).toBe("Captain Mira");
    const greeting = page.locator("[data-greeting]");
    await expect.poll(() => greeting.textContent()).toContain(`Welcome aboard the Kestrel, ${alice}.`);
    await expect.poll(() => greeting.locator("strong").count()).toBe(1);
  });

  it("streams a reply token by token", async () => {
    await send(page, "Hello captain, how are you? [[long:60]] [[gap:40]]");
    await userMessages(page).first().waitFor();
    const lengths = new Set<number>();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const draft = await page
        .getByTestId("draft")
        .textContent({ timeout: 50 })
        .catch(() => null);
      if (draft) lengths.add(draft.length);
      if ((await assistantReplies(page).count()) >= 2) break;
      await page.waitForTimeout(40);
    }
    expect(lengths.size).toBeGreaterThan(2);
    await settled(page);
    // The greeting is stored as the first assistant message when the first turn is made.
    await expect.poll(() => assistantReplies(page).count()).toBe(2);
    await expect.poll(() => assistantReplies(page).last().getAttribute("data-status")).toBe("complete");
    await expect.poll(() => assistantReplies(page).last().textContent()).toMatch(/development model/);
  });

  it("renders model output as sanitised Markdown, never as HTML", async () => {
    await send(page, '**Bold** move <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>');
    await settled(page);
    const last = assistantReplies(page).last();
    await expect.poll(() => last.locator("strong").count()).toBeGreaterThan(0);
    await expect.poll(() => last.locator("img, script").count()).toBe(0);
    await expect(page.evaluate(() => (window as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    await screenshot(page, "chat");
  });

  it("shows the whole history after a reload", async () => {
    const before = await page.locator('[data-testid="message"]').count();
    await page.reload();
    await assistantReplies(page).first().waitFor();
    await expect.poll(() => page.getByTestId("chat-title").textContent()).toBe("Captain Mira");
    await expect.poll(() => page.locator('[data-testid="message"]').count()).toBe(before);
  });

  it("sends on Enter and breaks the line on Shift+Enter", async () => {
    await onChat(page);
    const composer = page.getByTestId("composer");
    await composer.fill("first line");
    await composer.press("Shift+Enter");
    await composer.pressSequentially("second line");
    await expect.poll(() => composer.inputValue()).toBe("first line\nsecond line");
    await composer.press("Enter");
    await settled(page);
    await expect.poll(() => composer.inputValue()).toBe("");
    await expect.poll(() => userMessages(page).last().textContent()).toContain("first line\nsecond line");
  });

  it("stops a long reply with the Stop button", async () => {
    await onChat(page);
    const replies = await assistantReplies(page).count();
    await send(page, "Tell me everything [[long:2000]] [[gap:25]]");
    await page.getByTestId("draft").waitFor();
    // Scrolled up, the reader keeps their place while the reply grows.
    const list = page.getByTestId("messages");
    await list.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.waitForTimeout(400);
    expect(await list.evaluate((el) => el.scrollTop)).toBeLessThan(20);
    await page.getByTestId("stop").click();
    await page.getByTestId("send").waitFor({ timeout: 10_000 });
    await expect.poll(() => assistantReplies(page).count()).toBe(replies + 1);
    const last = assistantReplies(page).last();
    await expect.poll(() => last.getAttribute("data-status")).toBe("cancelled");
    await expect.poll(() => last.getByTestId("message-status").textContent()).toBe("stopped");
    expect(((await last.textContent()) ?? "").split(" ").length).toBeLessThan(1500);
  });

  it("resumes a reply that was streaming when the page reloaded", async () => {
    await onChat(page);
    const replies = await assistantReplies(page).count();
    await send(page, "A long story please [[long:150]] [[gap:30]]");
    await page.getByTestId("draft").waitFor();
    await page.reload();
    await page.getByTestId("draft").waitFor({ timeout: 10_000 });
    await settled(page);
    await expect.poll(() => assistantReplies(page).count()).toBe(replies + 1);
    const last = assistantReplies(page).last();
    await expect.poll(() => last.getAttribute("data-status")).toBe("complete");
    expect(((await last.textContent()) ?? "").trim().split(/\s+/).length).toBeGreaterThanOrEqual(140);
  });

  it("reattaches to the reply when the connection drops mid-stream", async () => {
    await onChat(page);
    const replies = await assistantReplies(page).count();
    // The connection "drops" halfway: the browser gets only the first half of the turn's events.
    await page.route(
      /\/messages$/,
      async (route) => {
        if (route.request().method() !== "POST") return route.continue();
        const res = await route.fetch();
        const frames = (await res.text()).split("\n\n").filter(Boolean);
        await route.fulfill({ response: res, body: `${frames.slice(0, frames.length >> 1).join("\n\n")}\n\n` });
      },
      { times: 1 },
    );
    const reattached = page.waitForRequest((r) => r.url().endsWith("/stream") && !!r.headers()["last-event-id"]);
    await send(page, "Keep talking [[long:120]]");
    await reattached;
    await settled(page);
    await expect.poll(() => assistantReplies(page).count()).toBe(replies + 1);
    const last = assistantReplies(page).last();
    await expect.poll(() => last.getAttribute("data-status")).toBe("complete");
    expect(((await last.textContent()) ?? "").trim().split(/\s+/).length).toBeGreaterThanOrEqual(120);
    await expect.poll(() => page.getByTestId("chat-error").count()).toBe(0);
  });

  it("shows a reply that finished while the tab was closed", async () => {
    await onChat(page);
    const replies = await assistantReplies(page).count();
    await send(page, "Write while I am away [[long:80]] [[gap:20]]");
    await page.getByTestId("draft").waitFor();
    const context = page.context();
    await page.close();
    await new Promise((r) => setTimeout(r, 2500));
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto("/");
    await onChat(page);
    await expect.poll(() => assistantReplies(page).count()).toBe(replies + 1);
    await expect.poll(() => assistantReplies(page).last().getAttribute("data-status")).toBe("complete");
    await expect.poll(() => page.getByTestId("draft").count()).toBe(0);
  });

  it("says so when the model fails, and Retry answers the same message", async () => {
    await onChat(page);
    const replies = await assistantReplies(page).count();
    // The worker itself retries twice before the first token: the third failure reaches the user.
    await send(page, `Are you there? ${unique("#")} [[flaky:3:500]]`);
    await page.getByTestId("chat-error").waitFor({ timeout: 15_000 });
    await screenshot(page, "chat-error");
    await page.getByTestId("retry").click();
    await settled(page);
    await expect.poll(() => page.getByTestId("chat-error").count()).toBe(0);
    await expect.poll(() => assistantReplies(page).count()).toBe(replies + 1);
    await expect.poll(() => userMessages(page).filter({ hasText: "Are you there?" }).count()).toBe(1);
  });

  it("shows what the character remembered for a reply", async () => {
    await onChat(page);
    await assistantReplies(page).last().hover();
    await assistantReplies(page).last().getByTestId("more").click();
    await assistantReplies(page).last().getByTestId("why").click();
    await page.getByTestId("ledger").waitFor();
    await expect.poll(() => page.getByTestId("ledger").textContent()).toMatch(/tokens/);
    await screenshot(page, "ledger");
    await page.keyboard.press("Escape");
    await page.getByTestId("ledger-panel").waitFor({ state: "detached" });
  });

  it("regenerates the last reply and swipes between its versions", async () => {
    await onChat(page);
    const replies = await assistantReplies(page).count();
    await assistantReplies(page).last().getByTestId("regenerate").click();
    await settled(page);
    const swipe = assistantReplies(page).last().getByTestId("swipe");
    await expect.poll(() => swipe.textContent()).toContain("2/2");
    await expect.poll(() => assistantReplies(page).count()).toBe(replies);
    await swipe.getByRole("button", { name: "Previous version" }).click();
    await expect.poll(() => swipe.textContent()).toContain("1/2");
    await page.reload();
    await expect.poll(() => assistantReplies(page).last().getByTestId("swipe").textContent()).toContain("1/2");
  });

  it("edits a sent message and gets a fresh reply to it", async () => {
    await onChat(page);
    await page.locator('[data-testid="chat"][data-phase="idle"]').waitFor();
    await userMessages(page).last().getByTestId("edit").click();
    await page.getByTestId("edit-box").fill("What cargo are we carrying?");
    await page.getByTestId("edit-box").press("Enter");
    await settled(page);
    await expect.poll(() => userMessages(page).last().textContent()).toContain("What cargo are we carrying?");
    await expect.poll(() => assistantReplies(page).last().textContent()).toContain("What cargo are we carrying?");
    await expect.poll(() => userMessages(page).filter({ hasText: "Are you there?" }).count()).toBe(0);
  });

  it("pins memories: from a message, added, edited and deleted", async () => {
    await onChat(page);
    await userMessages(page).last().hover();
    await userMessages(page).last().getByTestId("more").click();
    await userMessages(page).last().getByTestId("pin").click();
    const panel = page.getByTestId("memories-panel");
    await expect.poll(() => panel.getByTestId("memory").count()).toBe(1);
    await expect.poll(() => panel.getByTestId("memory").first().textContent()).toContain("What cargo");
    await panel.getByLabel("Add a memory").fill("The user's sister is called Ana.");
    await panel.getByRole("button", { name: "Pin it" }).click();
    await expect.poll(() => panel.getByTestId("memory").count()).toBe(2);
    await panel.getByTestId("memory").filter({ hasText: "Ana" }).getByRole("button", { name: "Edit" }).click();
    await panel.getByLabel("Memory", { exact: true }).fill("The user's sister is called Anabel.");
    await panel.getByRole("button", { name: "Save" }).click();
    await panel.getByText("The user's sister is called Anabel.").waitFor();
    await screenshot(page, "memories");
    await panel.getByTestId("memory").filter({ hasText: "What cargo" }).getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => panel.getByTestId("memory").count()).toBe(1);
    await page.reload();
    await page.getByTestId("open-memories").click();
    await expect.poll(() => page.getByTestId("memory").count()).toBe(1);
    await page.keyboard.press("Escape");
  });

  it("rewinds the conversation to an earlier message", async () => {
    await onChat(page);
    const hello = userMessages(page).filter({ hasText: "Hello captain" });
    await hello.hover();
    await hello.getByTestId("more").click();
    const rewind = hello.getByTestId("rewind");
    await rewind.click();
    await rewind.click(); // the second press confirms
    await expect.poll(() => page.locator('[data-testid="message"]').count()).toBe(2);
    await page.reload();
    await hello.waitFor();
    await expect.poll(() => page.locator('[data-testid="message"]').count()).toBe(2);
  });

  it("lists the conversation, signs out, and signs back in with the email", async () => {
    await page.getByTestId("nav-chats").click();
    const row = page.getByTestId("chat-row");
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain("Captain Mira");
    await screenshot(page, "chats");
    await page.getByTestId("sign-out").click();
    await page.getByTestId("login-form").waitFor();
    await page.getByLabel("Username or email").fill(`${alice}@example.test`);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByTestId("form-error").textContent()).toMatch(/Wrong username, email or password/);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("new-character").waitFor();
    await visit(page, `/chat/${characterId}`);
    await userMessages(page).filter({ hasText: "Hello captain" }).waitFor();
  });

  it("keeps the session across a reload through the refresh cookie", async () => {
    await page.reload();
    await userMessages(page).filter({ hasText: "Hello captain" }).waitFor();
    await expect.poll(() => page.getByTestId("login-form").count()).toBe(0);
  });

  it("searches the catalogue, exports a card and imports it back", async () => {
    await page.getByRole("link", { name: "Characters" }).click();
    await page.getByLabel("Search characters").fill("Mira");
    const mine = page.getByTestId("character-card").filter({ has: page.getByTestId("edit-character") });
    await mine.first().waitFor();
    await expect.poll(async () => (await page.getByTestId("character-card").allTextContents()).every((t) => /mira/i.test(t))).toBe(true);
    await screenshot(page, "characters");
    const [download] = await Promise.all([page.waitForEvent("download"), mine.first().getByTestId("export-json").click()]);
    const card = JSON.parse(readFileSync((await download.path())!, "utf8")) as { spec: string; data: { name: string; first_mes: string } };
    expect(card.spec).toBe("chara_card_v2");
    expect(card.data.name).toBe("Captain Mira");
    card.data.name = "Mira Imported";
    await page
      .getByTestId("import-card")
      .setInputFiles({ name: "mira.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(card)) });
    await page.waitForURL(/\/characters\/.+\/edit/);
    await expect.poll(() => page.getByLabel("Name").inputValue()).toBe("Mira Imported");
    await expect.poll(() => page.getByLabel("Greeting").inputValue()).toBe(card.data.first_mes);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByLabel("Search characters").fill("Mira Imported");
    const imported = page.getByTestId("character-card").filter({ hasText: "Mira Imported" });
    await imported.waitFor();
    await expect.poll(() => page.getByTestId("character-card").count()).toBe(1);
    await imported.getByRole("button", { name: "Delete" }).click();
    // A search answer that still holds the card arrives while the delete is armed: the card stays armed.
    const refreshed = page.waitForResponse((r) => new URL(r.url()).searchParams.get("q") === "Mira Imp");
    await page.getByLabel("Search characters").fill("Mira Imp");
    await refreshed;
    await imported.getByRole("button", { name: "Delete for good?" }).click();
    await imported.waitFor({ state: "detached" });
  });

  it("saves the profile and persona, and exports the user's data", async () => {
    await page.getByTestId("nav-profile").click();
    await page.getByLabel("Display name").fill("Alice");
    await page.getByLabel("Persona").fill("A retired pilot who misses flying.");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByText("Saved.").waitFor();
    await expect.poll(() => page.getByTestId("nav-profile").textContent()).toContain("Alice");
    // The plan comes from PostgreSQL; with no gateway in front of the model, today's count is not known.
    await expect.poll(() => page.getByTestId("plan-usage").textContent()).toContain("free: up to 200,000 reply tokens a day, 2 at once.");
    await screenshot(page, "profile");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-data").click()]);
    const data = readFileSync((await download.path())!, "utf8");
    expect(data).toContain(alice);
    expect(() => JSON.parse(data)).not.toThrow();
  });

  it("loads older history as the user scrolls back", async () => {
    const api = client(stack.url);
    const dave = await api.register(unique("dave"));
    const ode = await api.character(dave, { name: "Archivist Ode", greeting: "Ask me anything." });
    for (let i = 1; i <= 20; i++) expect((await api.say(dave, ode.id, `Question number ${i}`)).status).toBe(200);
    const p = await browser.newPage(stack.url);
    await p.goto("/");
    await p.getByLabel("Username or email").fill(dave.username);
    await p.getByLabel("Password").fill(PASSWORD);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.getByTestId("new-character").waitFor();
    await visit(p, `/chat/${ode.id}`);
    await userMessages(p).filter({ hasText: "Question number 20" }).waitFor();
    expect(await p.locator('[data-testid="message"]').count()).toBeLessThan(41);
    const all = async () => {
      await p.getByTestId("messages").evaluate((el) => el.scrollTo({ top: 0 }));
      return p.locator('[data-testid="message"]').count();
    };
    await expect.poll(all, { timeout: 10_000 }).toBe(41);
    await expect.poll(() => p.locator('[data-testid="message"]').first().textContent()).toContain("Ask me anything.");
    await p.context().close();
  }, 60_000);

  it("fits a 360 px phone and follows a dark system theme", async () => {
    const phone = await browser.newPage(stack.url, { width: 360, height: 740, dark: true });
    await phone.goto("/");
    await phone.getByLabel("Username or email").fill(alice);
    await phone.getByLabel("Password").fill(PASSWORD);
    await phone.getByRole("button", { name: "Sign in" }).click();
    await phone.getByTestId("character-card").first().waitFor();
    await screenshot(phone, "characters-phone-dark");
    await visit(phone, `/chat/${characterId}`);
    await assistantReplies(phone).first().waitFor();
    await expect.poll(() => phone.getByTestId("chat-title").textContent()).toBe("Captain Mira");
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const bg = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe("rgb(17, 18, 23)");
    await screenshot(phone, "chat-phone-dark");
    await phone.context().close();
  });

  it("does not show one user's conversation to another", async () => {
    const bob = await browser.newPage(stack.url);
    await signUp(bob, unique("bob"));
    await bob.getByTestId("nav-chats").click();
    await bob.getByText("No conversations yet").waitFor();
    // Mira is public: Bob may talk to her, but in a conversation of his own.
    await visit(bob, `/chat/${characterId}`);
    await bob.locator("[data-greeting]").waitFor();
    // His own conversation: the character's greeting and nothing of Alice's.
    await expect.poll(() => bob.locator('[data-testid="message"]:not([data-greeting])').count()).toBe(0);
    await expect.poll(() => bob.getByText("Hello captain").count()).toBe(0);
    await bob.context().close();
  });

  it("changes a password, then deletes the account for good", async () => {
    const carol = unique("carol");
    const p = await browser.newPage(stack.url);
    await signUp(p, carol);
    await p.getByTestId("nav-profile").click();
    await p.getByLabel("Current password").fill("not my password");
    await p.getByLabel("New password").fill("a brand new secret");
    await p.getByRole("button", { name: "Change password" }).click();
    await p.getByText("The current password is wrong.").waitFor();
    await p.getByLabel("Current password").fill(PASSWORD);
    await p.getByRole("button", { name: "Change password" }).click();
    await p.getByText("Password changed.").waitFor();
    await p.getByTestId("sign-out").click();
    await p.getByLabel("Username or email").fill(carol);
    await p.getByLabel("Password").fill("a brand new secret");
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.getByTestId("nav-profile").click();
    await expect.poll(() => p.getByTestId("delete-account").isDisabled()).toBe(true);
    await p.getByLabel(/Type .* to confirm/).fill(carol);
    await p.getByTestId("delete-account").click();
    await expect.poll(() => p.getByTestId("goodbye").textContent()).toMatch(/Your account was deleted/);
    await visit(p, "/login");
    await p.getByLabel("Username or email").fill(carol);
    await p.getByLabel("Password").fill("a brand new secret");
    await p.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => p.getByTestId("form-error").textContent()).toMatch(/Wrong username/);
    await p.context().close();
  });
});

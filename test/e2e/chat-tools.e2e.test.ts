/**
 * The chat's tools in Debian's Chromium against the real worker: copy, edit
 * a reply, continue a cut-off reply, reply to a message left without one,
 * delete; code blocks and tables; "remember this" seen at once; the ledger
 * in words; several conversations (new, switch, rename, branch, delete);
 * search that jumps to an old message; personas; forms with human errors;
 * the length limit and typed text that survives failures and reloads.
 * One stack for the file, with a small context window so limits are near.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { Stack } from "../../dev/stack";
import { client, type Session, startWorker, unique } from "../worker";
import { launchBrowser, screenshot, type TestBrowser } from "./browser";
import { assistantReplies, chatRows, idle, more, send, settled, signIn, userMessages, visit } from "./helpers";

let stack: Stack;
let browser: TestBrowser;
let page: Page;
let api: ReturnType<typeof client>;
let me: Session;
let mira: { id: string; name: string };
const go = (path: string) => visit(page, stack.url, path);
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

beforeAll(async () => {
  stack = await startWorker({ env: { LLM_CONTEXT_TOKENS: "2048", LLM_MAX_REPLY_TOKENS: "400" } });
  api = client(stack.url);
  me = await api.register(unique("tools"));
  mira = await api.character(me, { name: "Captain Mira", greeting: "Welcome aboard, {{user}}." });
  browser = await launchBrowser();
  page = await browser.newPage(stack.url);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.url });
  page.on("pageerror", (err) => console.error("page error:", err.message));
  await signIn(page, me.username);
}, 90_000);

beforeEach(() => {
  onTestFailed(async ({ task }) => {
    await screenshot(page, `tools-failed-${task.name.replace(/\W+/g, "-").slice(0, 50)}`).catch(() => {});
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function openMira(): Promise<void> {
  await go(`/chat/${mira.id}`);
  await idle(page);
}

const clipboard = (p: Page) => p.evaluate(() => navigator.clipboard.readText());

describe("message tools", () => {
  it("copies a reply, shows its time on hover, and edits what the character said", async () => {
    await openMira();
    await send(page, "Hello captain [[long:6]]");
    await settled(page);
    const reply = assistantReplies(page).last();
    await reply.hover();
    await expect.poll(() => reply.getByTestId("stamp").evaluate((el) => getComputedStyle(el).opacity)).toBe("1");
    expect(await reply.getByTestId("stamp").getAttribute("title")).toMatch(/\d/);
    await reply.getByTestId("copy").click();
    await expect.poll(() => reply.getByTestId("copy").textContent()).toBe("Copied");
    expect((await clipboard(page)).trim()).toBe(((await reply.locator(".bubble").textContent()) ?? "").trim());

    await reply.getByTestId("edit").click();
    await page.getByTestId("edit-box").fill("Aye, the *Kestrel* is ready.");
    await page.getByRole("button", { name: "Save reply" }).click();
    const shown = (l: typeof reply) =>
      l
        .locator(".bubble")
        .textContent()
        .then((t) => t?.trim());
    await expect.poll(() => shown(reply)).toBe("Aye, the Kestrel is ready.");
    await page.reload();
    await expect.poll(() => shown(assistantReplies(page).last())).toBe("Aye, the Kestrel is ready.");
  });

  it("continues a reply that was stopped, from where it stopped", async () => {
    await openMira();
    await send(page, "Tell me a long tale [[long:300]] [[gap:25]]");
    await page.getByTestId("draft").waitFor();
    await expect.poll(async () => ((await page.getByTestId("draft").textContent()) ?? "").length, { timeout: 10_000 }).toBeGreaterThan(40);
    await page.keyboard.press("Escape"); // Escape stops a reply
    await settled(page);
    const cut = assistantReplies(page).last();
    await expect.poll(() => cut.getAttribute("data-status")).toBe("cancelled");
    const before = ((await cut.locator(".bubble").textContent()) ?? "").trim();
    await cut.getByTestId("continue").click();
    await settled(page);
    const after = assistantReplies(page).last();
    await expect.poll(() => after.getAttribute("data-status")).toBe("complete");
    const text = ((await after.locator(".bubble").textContent()) ?? "").trim();
    expect(text.startsWith(before.slice(0, 30))).toBe(true);
    expect(text.length).toBeGreaterThan(before.length);
  });

  it("offers Reply on a user message left without one (after a rewind), and deletes a message with its reply", async () => {
    await openMira();
    await send(page, "Where are we headed?");
    await settled(page);
    const asked = userMessages(page).filter({ hasText: "Where are we headed?" });
    // Rewind to the question: its reply goes, and the question waits for one.
    await asked.hover();
    await asked.getByTestId("more").click();
    await asked.getByTestId("rewind").click();
    await asked.getByTestId("rewind").click();
    await expect.poll(() => page.locator('[data-testid="message"]').last().getAttribute("data-role")).toBe("user");
    await asked.getByTestId("reply").click();
    await settled(page);
    await expect.poll(() => assistantReplies(page).last().textContent()).toContain("Where are we headed?");

    const count = await page.locator('[data-testid="message"]').count();
    await asked.hover();
    await asked.getByTestId("more").click();
    await asked.getByTestId("delete-message").click();
    await asked.getByTestId("delete-message").click();
    await expect.poll(() => page.locator('[data-testid="message"]').count()).toBe(count - 2);
    await page.reload();
    await idle(page);
    await expect.poll(() => userMessages(page).filter({ hasText: "Where are we headed?" }).count()).toBe(0);
  });

  it("renders code with highlighting and a Copy button, and tables styled", async () => {
    await openMira();
    const code = "const ship = 'Kestrel';\nfunction fly() { return ship; }";
    await send(page, "Show me the ship's code and crew.");
    await settled(page);
    // The development model flattens what it says: the reply is given its Markdown with the reply editor.
    const reply = assistantReplies(page).last();
    await reply.getByTestId("edit").click();
    await page
      .getByTestId("edit-box")
      .fill(`Here:\n\n\`\`\`js\n${code}\n\`\`\`\n\n| crew | role |\n| --- | --- |\n| Mira | captain |\n| Tam | pilot |`);
    await page.getByRole("button", { name: "Save reply" }).click();
    const block = reply.locator(".code-block").first();
    await block.waitFor();
    await expect.poll(() => block.locator(".hljs-keyword").count()).toBeGreaterThan(0);
    await block.getByTestId("copy-code").click();
    await expect.poll(() => clipboard(page)).toBe(code);
    await expect.poll(() => reply.locator("table th").count()).toBe(2);
    const border = await reply
      .locator("table td")
      .first()
      .evaluate((el) => getComputedStyle(el).borderTopStyle);
    expect(border).toBe("solid");
    await screenshot(page, "chat-code");
  });
});

describe("memories and the ledger", () => {
  it("shows a pin made by a message at once, marks the message, and words the ledger", async () => {
    await openMira();
    await send(page, "Remember this: my sister is called Ana.");
    await settled(page);
    await expect.poll(() => page.getByTestId("pinned-note").textContent(), { timeout: 10_000 }).toContain("sister is called Ana");
    await expect.poll(() => page.getByTestId("open-memories").textContent()).toMatch(/Memories \(\d+\)/);
    await userMessages(page).filter({ hasText: "Remember this" }).getByTestId("pinned-badge").waitFor();
    await page.getByTestId("open-memories").click();
    await page.getByTestId("memories-panel").getByText("my sister is called Ana", { exact: false }).waitFor();
    await page.keyboard.press("Escape");

    await send(page, "What is my sister called?");
    await settled(page);
    await more(assistantReplies(page).last(), "why");
    const ledger = page.getByTestId("ledger");
    await ledger.waitFor();
    await expect.poll(() => ledger.locator('[data-source="memories"]').first().textContent()).toContain("sister is called Ana");
    await expect.poll(() => ledger.textContent()).toContain("Character sheet");
    expect(await ledger.textContent()).not.toMatch(uuid);
    expect(await ledger.textContent()).not.toMatch(/summary:v|system system/);
    await page.keyboard.press("Escape");
  });
});

describe("several conversations", () => {
  it("starts a new chat, keeps the old one, renames, branches and deletes", async () => {
    await openMira();
    const mainCount = await page.locator('[data-testid="message"]').count();
    await page.getByTestId("new-chat").click();
    await page.waitForURL(new RegExp(`/chat/${mira.id}/[0-9a-f-]{36}$`));
    await idle(page);
    await page.locator("[data-greeting]").waitFor();
    await send(page, "A fresh start [[long:4]]");
    await settled(page);
    // Rename it, then go back to the first chat: it is all still there.
    await page.getByTestId("chat-menu").click();
    await page.getByTestId("rename-chat").click();
    await page.getByTestId("rename-input").fill("Side quest");
    await page.getByTestId("rename-input").press("Enter");
    await expect.poll(() => page.getByTestId("conversation-select").locator("option:checked").textContent()).toBe("Side quest");
    await page.getByTestId("conversation-select").selectOption("main");
    await page.waitForURL(new RegExp(`/chat/${mira.id}$`));
    await idle(page);
    await expect.poll(() => page.locator('[data-testid="message"]').count()).toBe(mainCount);

    // Branch from the first user message: a new conversation with the history up to it.
    const first = userMessages(page).first();
    const firstText = ((await first.locator(".bubble").textContent()) ?? "").trim();
    await more(first, "branch");
    await page.waitForURL(new RegExp(`/chat/${mira.id}/[0-9a-f-]{36}$`));
    await idle(page);
    await expect.poll(() => userMessages(page).count()).toBe(1);
    expect(((await userMessages(page).first().locator(".bubble").textContent()) ?? "").trim()).toBe(firstText);

    await expect.poll(async () => (await chatRows(page, stack.url)).filter({ hasText: "Captain Mira" }).count()).toBe(3);
    await expect.poll(() => page.getByTestId("chat-row").filter({ hasText: "Side quest" }).count()).toBe(1);
    await screenshot(page, "chats-several");

    await page.getByTestId("chat-row").filter({ hasText: "Side quest" }).click();
    await idle(page);
    await page.getByTestId("chat-menu").click();
    await page.getByTestId("delete-chat").click();
    await page.getByTestId("delete-chat").click();
    await page.waitForURL(new RegExp(`/chat/${mira.id}$`));
    await expect.poll(async () => (await chatRows(page, stack.url)).filter({ hasText: "Side quest" }).count()).toBe(0);
  });
});

describe("search", () => {
  it("finds a word in an old page of a conversation and jumps to it, highlighted", async () => {
    const ode = await api.character(me, { name: "Archivist Ode", greeting: "Ask me anything." });
    const word = unique("zebu");
    expect((await api.say(me, ode.id, `The password is ${word}, keep it.`)).status).toBe(200);
    for (let i = 1; i <= 18; i++) expect((await api.say(me, ode.id, `Filler question ${i}`)).status).toBe(200);
    await go("/search");
    await page.getByTestId("search-input").fill(word);
    await page.getByTestId("search-input").press("Enter");
    const hit = page.getByTestId("search-hit").first();
    await expect.poll(() => hit.locator("mark").first().textContent()).toBe(word);
    await hit.click();
    await page.waitForURL(/\/chat\/.+\?m=/);
    const found = page.locator('[data-testid="message"].highlight');
    await found.waitFor({ timeout: 15_000 });
    await expect.poll(() => found.textContent()).toContain(word);
    await expect.poll(() => found.isVisible()).toBe(true);
    const inView = await found.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    expect(inView).toBe(true);
  }, 60_000);
});

describe("personas", () => {
  it("manages personas in the profile and chooses one for a conversation", async () => {
    await page.getByTestId("nav-profile").click();
    const add = page.getByTestId("persona-form-new-persona");
    await add.getByRole("button", { name: "Add persona" }).click();
    await add.getByText("Name is required.").waitFor();
    await add.getByLabel("Name").fill("Nemo");
    await add.getByLabel("Description").fill("A submarine captain.");
    await add.getByRole("button", { name: "Add persona" }).click();
    await page.getByTestId("persona").filter({ hasText: "Nemo" }).waitFor();
    await add.getByLabel("Name").fill("Ishmael");
    await add.getByRole("button", { name: "Add persona" }).click();
    await expect.poll(() => page.getByTestId("persona").count()).toBe(2);
    await page
      .getByTestId("persona")
      .filter({ hasText: "Ishmael" })
      .getByRole("button", { name: /Delete/ })
      .click();
    await page
      .getByTestId("persona")
      .filter({ hasText: "Ishmael" })
      .getByRole("button", { name: /Press again/ })
      .click();
    await expect.poll(() => page.getByTestId("persona").count()).toBe(1);

    await openMira();
    await page.getByTestId("persona-select").selectOption({ label: "Nemo" });
    await expect
      .poll(async () => {
        const res = await api.call(`/api/chats/${mira.id}/conversations`, { as: me });
        const body = (await res.json()) as { conversations: { id: string; persona: { name: string } | null }[] };
        return body.conversations.find((c) => c.id === "main")?.persona?.name;
      })
      .toBe("Nemo");
    await page.reload();
    await idle(page);
    await expect.poll(() => page.getByTestId("persona-select").locator("option:checked").textContent()).toBe("Nemo");
  });
});

describe("forms and typed text", () => {
  it("words every form error for a person and marks required fields", async () => {
    const p = await browser.newPage(stack.url);
    await visit(p, stack.url, "/register");
    await expect.poll(() => p.locator("label", { hasText: "(required)" }).count()).toBe(3);
    await p.getByLabel("Username").fill("a b");
    await p.getByLabel("Email").fill("not-an-email");
    await p.getByLabel("Password").fill("short");
    await p.getByRole("button", { name: "Sign up" }).click();
    await p.getByText("Use 3 to 32 letters, digits, dots, dashes or underscores (no spaces).").waitFor();
    await p.getByText("Enter an email address like name@example.com.").waitFor();
    await p.getByText("Use at least 8 characters.").waitFor();
    await expect.poll(() => p.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("username");
    expect(await p.locator("body").textContent()).not.toMatch(/Too small|expected string|Invalid input/);
    await p.context().close();

    await go("/characters/new");
    await page.getByRole("button", { name: "Create and chat" }).click();
    await page.getByText("Name is required.").waitFor();
    await page.getByText("Description is required.").waitFor();
    await page.getByText("Greeting is required.").waitFor();
  });

  it("keeps the typed text after a failed send and across a reload", async () => {
    await openMira();
    const text = `Do not lose me ${unique("#")}`;
    await page.getByTestId("composer").fill(text);
    // The connection fails once: the text comes back to the box, with Retry (it can succeed).
    await page.route(/\/messages$/, (route) => (route.request().method() === "POST" ? route.abort() : route.continue()), { times: 1 });
    await page.getByTestId("composer").press("Enter");
    await page.getByTestId("chat-error").waitFor();
    await expect.poll(() => page.getByTestId("composer").inputValue()).toBe(text);
    await page.getByTestId("retry").waitFor();
    await expect.poll(() => userMessages(page).filter({ hasText: text }).count()).toBe(0);
    await page.reload();
    await idle(page);
    await expect.poll(() => page.getByTestId("composer").inputValue()).toBe(text);
    await page.getByTestId("composer").press("Enter");
    await settled(page);
    await expect.poll(() => userMessages(page).filter({ hasText: text }).count()).toBe(1);
    await page.reload();
    await idle(page);
    await expect.poll(() => page.getByTestId("composer").inputValue()).toBe("");
  });

  it("shows the length limit before sending, and keeps the text when the server refuses it", async () => {
    const vela = await api.character(me, { name: "Vela", greeting: "" });
    await go(`/chat/${vela.id}`);
    await idle(page);
    const composer = page.getByTestId("composer");
    await composer.fill("word ".repeat(2500));
    await expect.poll(() => page.getByTestId("counter").textContent(), { timeout: 15_000 }).toMatch(/tokens over the limit/);
    await expect.poll(() => page.getByTestId("send").isDisabled()).toBe(true);
    await composer.fill("word ".repeat(1000));
    await expect.poll(() => page.getByTestId("counter").textContent()).toMatch(/^[\d,]+ \/ [\d,]+ tokens$/);
    await expect.poll(() => page.getByTestId("send").isDisabled()).toBe(false);
    // The character grows a long sheet elsewhere: the server now reads less, and refuses this text.
    const grown = await api.call(`/api/characters/${vela.id}`, { method: "PATCH", as: me, json: { description: "lore ".repeat(900) } });
    expect(grown.status).toBe(200);
    const typed = await composer.inputValue();
    await composer.press("Enter");
    const error = page.getByTestId("chat-error");
    await expect.poll(() => error.textContent(), { timeout: 10_000 }).toMatch(/at most \d+ tokens/);
    expect(await error.getByTestId("retry").count()).toBe(0);
    await expect.poll(() => composer.inputValue()).toBe(typed);
    await expect.poll(() => page.getByTestId("counter").textContent()).toMatch(/tokens over the limit/);
  });
});

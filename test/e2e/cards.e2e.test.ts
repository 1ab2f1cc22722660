/**
 * Cards and avatars in the web client (Debian's Chromium, the real worker):
 * import a PNG card with the file picker and see its picture in the editor,
 * the gallery and the chat; upload another picture; filter by tag; a broken
 * card is explained; chat with an imported card, swipe to one of its
 * alternate greetings, and find that greeting in what the model is sent.
 */
import { readFileSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { avatarPng } from "../../dev/png-encode";
import type { Stack } from "../../dev/stack";
import { promptsWith, startWorker, unique } from "../worker";
import { launchBrowser, screenshot, type TestBrowser } from "./browser";
import { send, settled } from "./helpers";

let stack: Stack;
let browser: TestBrowser;
let page: Page;
let editUrl = "";
let userName = "";

async function visit(p: Page, path: string): Promise<void> {
  if (!p.url().startsWith(stack.url)) await p.goto("/");
  await p.evaluate((to) => {
    history.pushState(null, "", to);
    dispatchEvent(new PopStateEvent("popstate"));
  }, path);
}

/** The picture an avatar shows, once it has loaded (0 × 0 means broken). */
async function loadedImage(img: Locator): Promise<{ src: string; width: number }> {
  await img.waitFor();
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0)).toBe(true);
  return img.evaluate((el) => ({ src: (el as HTMLImageElement).getAttribute("src") ?? "", width: (el as HTMLImageElement).naturalWidth }));
}

beforeAll(async () => {
  stack = await startWorker();
  browser = await launchBrowser();
  page = await browser.newPage(stack.url);
  page.on("pageerror", (err) => console.error("page error:", err.message));
  userName = unique("carder");
  await visit(page, "/register");
  await page.getByLabel("Username").fill(userName);
  await page.getByLabel("Email").fill(`${userName}@example.test`);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByTestId("new-character").waitFor();
}, 60_000);

beforeEach(() => {
  onTestFailed(async ({ task }) => {
    await screenshot(page, `failed-cards-${task.name.replace(/\W+/g, "-").slice(0, 50)}`).catch(() => {});
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("cards in the web client", () => {
  it("imports a PNG card with the file picker and shows its picture in the editor", async () => {
    await page.getByTestId("import-card").setInputFiles("test/cards/png-chara.png");
    await page.waitForURL(/\/characters\/.+\/edit/);
    editUrl = new URL(page.url()).pathname;
    await expect.poll(() => page.getByLabel("Name").inputValue()).toBe("Mossback");
    const img = await loadedImage(page.getByTestId("avatar-editor").getByTestId("avatar-image"));
    expect(img.src).toMatch(/^\/api\/avatars\/[0-9a-f]{64}$/);
    expect(img.width).toBe(64);
    await screenshot(page, "card-imported");
  });

  it("shows the picture in the gallery, with the card's tags", async () => {
    await visit(page, "/characters");
    await page.getByLabel("Search characters").fill("Mossback");
    const card = page.getByTestId("character-card").filter({ hasText: "Mossback" }).first();
    await loadedImage(card.getByTestId("avatar-image"));
    await expect.poll(() => card.locator(".tags").textContent()).toContain("swamp");
    await screenshot(page, "gallery");
  });

  it("filters the gallery by a tag", async () => {
    await page.getByLabel("Search characters").fill("");
    const card = page.getByTestId("character-card").filter({ hasText: "Mossback" }).first();
    await card.getByRole("button", { name: "swamp" }).click();
    await expect
      .poll(async () => (await page.getByTestId("character-card").allTextContents()).every((t) => t.includes("swamp")))
      .toBe(true);
    await expect.poll(() => page.getByTestId("tag-filter").getByRole("button", { pressed: true }).textContent()).toContain("swamp");
  });

  it("shows the picture in the chat header and beside the greeting", async () => {
    await page.getByTestId("character-card").filter({ hasText: "Mossback" }).first().getByRole("link", { name: "Mossback" }).click();
    await page.waitForURL(/\/chat\//);
    await loadedImage(page.locator(".chat-head").getByTestId("avatar-image"));
    await loadedImage(page.locator("[data-greeting]").getByTestId("avatar-image"));
    await screenshot(page, "chat-with-avatar");
  });

  it("uploads another picture, which replaces the first everywhere", async () => {
    await visit(page, editUrl);
    const editor = page.getByTestId("avatar-editor");
    const before = await loadedImage(editor.getByTestId("avatar-image"));
    await page.getByTestId("avatar-upload").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: avatarPng(42, 120) });
    await expect.poll(() => editor.getByTestId("avatar-image").getAttribute("src")).not.toBe(before.src);
    const after = await loadedImage(editor.getByTestId("avatar-image"));
    expect(after.width).toBe(120);
    await screenshot(page, "avatar-uploaded");
  });

  it("explains a picture it cannot take", async () => {
    await page
      .getByTestId("avatar-upload")
      .setInputFiles({ name: "x.gif", mimeType: "image/gif", buffer: Buffer.from("GIF89a\x01\0\x01\0", "latin1") });
    await expect.poll(() => page.getByTestId("avatar-editor").getByRole("alert").textContent()).toMatch(/PNG, JPEG or WebP/);
  });

  it("explains a broken card file", async () => {
    await visit(page, "/characters");
    await page
      .getByTestId("import-card")
      .setInputFiles({ name: "broken.png", mimeType: "image/png", buffer: readFileSync("test/cards/malformed-crc.png") });
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/broken\.png: .*checksum/);
  });

  it("chats with an imported card after swiping to an alternate greeting, which is what the model then reads", async () => {
    await visit(page, "/characters");
    await page.getByTestId("import-card").setInputFiles("test/cards/v2-vela.json");
    await page.waitForURL(/\/characters\/.+\/edit/);
    const characterId = new URL(page.url()).pathname.split("/")[2];
    await visit(page, `/chat/${characterId}`);
    const greeting = page.locator("[data-greeting]");
    await expect.poll(() => greeting.textContent()).toContain(`Welcome aboard, ${userName}. Mind the loose panel.`);
    const swipe = greeting.getByTestId("swipe");
    await expect.poll(() => swipe.textContent()).toMatch(/\d\/3/);

    // Step through the three versions from the first; the card's first alternate is among them.
    const position = async () => Number(/(\d)\/3/.exec((await swipe.textContent()) ?? "")?.[1]);
    for (let at = await position(); at > 1; at--) {
      await swipe.getByRole("button", { name: "Previous version" }).click();
      await expect.poll(position).toBe(at - 1);
    }
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      await expect.poll(() => swipe.textContent()).toContain(`${i + 1}/3`);
      const text = ((await greeting.locator(".bubble").textContent()) ?? "").trim();
      seen.push(text);
      if (text.includes("Coffee's on the console")) break;
      await swipe.getByRole("button", { name: "Next version" }).click();
    }
    expect(seen.at(-1)).toBe(`Ahoy, ${userName}! Coffee's on the console.`);

    const marker = unique("mug");
    await send(page, `Which mug is mine? ${marker}`);
    await settled(page);
    const [prompt] = await promptsWith(marker);
    const said = prompt.messages.filter((m) => m.role === "assistant").map((m) => m.content);
    expect(said).toEqual([`Ahoy, ${userName}! Coffee's on the console.`]);

    // The choice is the conversation's, not the page's: it is still there after a reload.
    await page.reload();
    await expect
      .poll(async () => (await greeting.locator(".bubble").textContent())?.trim())
      .toBe(`Ahoy, ${userName}! Coffee's on the console.`);
    await screenshot(page, "card-alternate-greeting");
  });
});

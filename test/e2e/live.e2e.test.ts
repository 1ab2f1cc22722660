/**
 * Two tabs of one user on one chat, as two browser contexts (two devices:
 * their own cookies and storage) against the real worker: each shows what
 * the other did without a reload (a message and its reply streaming, a pin,
 * a rewind, a new conversation), and two sends at the same moment end in
 * one order that both show, the refused tab keeping its typed text.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import type { Stack } from "../../dev/stack";
import { client, type Session, startWorker, unique } from "../worker";
import { launchBrowser, screenshot, type TestBrowser } from "./browser";
import { assistantReplies, idle, send, settled, signIn, userMessages, visit } from "./helpers";

let stack: Stack;
let browser: TestBrowser;
let a: Page;
let b: Page;
let me: Session;
let characterId = "";

/** The conversation as a tab shows it: role and text of each message. */
const transcript = (p: Page) =>
  p
    .locator('[data-testid="message"]')
    .evaluateAll((els) => els.map((el) => `${el.getAttribute("data-role")}: ${el.querySelector(".bubble")?.textContent?.trim()}`));

beforeAll(async () => {
  stack = await startWorker();
  const api = client(stack.url);
  me = await api.register(unique("tabs"));
  characterId = (await api.character(me, { name: "Twin Lamp", greeting: "" })).id;
  browser = await launchBrowser();
  [a, b] = [await browser.newPage(stack.url), await browser.newPage(stack.url)];
  for (const p of [a, b]) {
    p.on("pageerror", (err) => console.error("page error:", err.message));
    await signIn(p, me.username);
    await visit(p, stack.url, `/chat/${characterId}`);
    await idle(p);
  }
}, 90_000);

beforeEach(() => {
  onTestFailed(async ({ task }) => {
    const name = task.name.replace(/\W+/g, "-").slice(0, 40);
    await screenshot(a, `live-failed-a-${name}`).catch(() => {});
    await screenshot(b, `live-failed-b-${name}`).catch(() => {});
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("two tabs on one chat", () => {
  it("tab B sees tab A's message at once and its reply streaming, without sending or reloading", async () => {
    const text = `From tab A ${unique("#")} [[long:80]] [[gap:25]]`;
    await send(a, text);
    await userMessages(b).filter({ hasText: "From tab A" }).waitFor();
    // The reply streams in B too (not only appears when done).
    await b.getByTestId("draft").waitFor({ timeout: 10_000 });
    await settled(a);
    await settled(b);
    await expect.poll(() => assistantReplies(b).count()).toBe(1);
    await expect.poll(() => assistantReplies(b).last().getAttribute("data-status")).toBe("complete");
    expect(await transcript(b)).toEqual(await transcript(a));
  });

  it("two sends at the same moment end in one order that both tabs show, and the refused tab keeps its text", async () => {
    const [ta, tb] = [`Alpha ${unique("#")} [[long:30]] [[gap:20]]`, `Bravo ${unique("#")} [[long:30]] [[gap:20]]`];
    await a.getByTestId("composer").fill(ta);
    await b.getByTestId("composer").fill(tb);
    await Promise.all([a.getByTestId("composer").press("Enter"), b.getByTestId("composer").press("Enter")]);
    // One of them is refused while the other's reply is written; that tab says so and keeps the text.
    const refused = await Promise.race([
      a
        .getByTestId("chat-error")
        .waitFor({ timeout: 15_000 })
        .then(() => a),
      b
        .getByTestId("chat-error")
        .waitFor({ timeout: 15_000 })
        .then(() => b),
    ]);
    await expect.poll(() => refused.getByTestId("chat-error").textContent()).toMatch(/already being written/);
    await expect.poll(() => refused.getByTestId("composer").inputValue()).toBe(refused === a ? ta : tb);
    expect(await refused.getByTestId("retry").count()).toBe(0);
    for (const p of [a, b]) await settled(p);
    await expect.poll(async () => JSON.stringify(await transcript(a))).toBe(JSON.stringify(await transcript(b)));
    const shown = (await transcript(a)).join("\n");
    expect(shown.includes("Alpha") !== shown.includes("Bravo")).toBe(true);
    // The kept text is sent once the other reply is done.
    await refused.getByTestId("composer").press("Enter");
    for (const p of [a, b]) await settled(p);
    await expect
      .poll(async () => (await transcript(a)).join("\n").includes("Alpha") && (await transcript(b)).join("\n").includes("Bravo"))
      .toBe(true);
    await expect.poll(async () => JSON.stringify(await transcript(a))).toBe(JSON.stringify(await transcript(b)));
  });

  it("a pin, a rewind and a new conversation in one tab show in the other", async () => {
    await send(a, "Remember this: the lamp is blue.");
    await settled(a);
    await expect.poll(() => b.getByTestId("open-memories").textContent(), { timeout: 10_000 }).toMatch(/Memories \(1\)/);
    await b.getByTestId("pinned-note").waitFor();
    // A memory being edited in one tab stays as typed while the other tab pins another.
    await b.getByTestId("open-memories").click();
    await b.getByTestId("memory").first().getByRole("button", { name: "Edit" }).click();
    const editing = b.getByTestId("memory").getByLabel("Memory", { exact: true });
    await editing.fill("The lamp is teal.");
    await send(a, "Remember this: the door is red.");
    await settled(a);
    await expect.poll(() => b.getByTestId("memory").count(), { timeout: 10_000 }).toBe(2);
    expect(await editing.inputValue()).toBe("The lamp is teal.");
    await b.getByTestId("memory").getByRole("button", { name: "Cancel" }).click();
    await b.getByRole("dialog").getByRole("button", { name: "Close" }).click();

    const first = userMessages(a).first();
    await first.hover();
    await first.getByTestId("more").click();
    await first.getByTestId("rewind").click();
    await first.getByTestId("rewind").click();
    await expect.poll(() => userMessages(b).count()).toBe(1);
    await expect.poll(async () => JSON.stringify(await transcript(b))).toBe(JSON.stringify(await transcript(a)));

    await a.getByTestId("new-chat").click();
    await a.waitForURL(/\/chat\/.+\/[0-9a-f-]{36}$/);
    await expect.poll(() => b.getByTestId("conversation-select").locator("option").count()).toBe(2);
  });
});

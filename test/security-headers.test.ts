/**
 * Security headers reach everything the service answers: the app's HTML and
 * files (through the worker, as in production with run_worker_first), the
 * API, errors; HSTS only in production; authenticated JSON is never cached;
 * the built app has no inline script (issue 10 item 14).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, type Session, startWorker } from "./worker";

let local: Stack;
let production: Stack;
let me: Session;

beforeAll(async () => {
  [local, production] = await Promise.all([startWorker(), startWorker({ env: { ENVIRONMENT: "production" } })]);
  me = await client(local.url).register();
});
afterAll(async () => {
  await Promise.all([local?.close(), production?.close()]);
});

function expectPolicy(res: Response, what: string): void {
  const csp = res.headers.get("content-security-policy") ?? "";
  for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"])
    expect(csp, `${what}: ${directive}`).toContain(directive);
  expect(csp, what).not.toContain("unsafe-inline");
  expect(csp, what).not.toContain("unsafe-eval");
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBeTruthy();
  expect(res.headers.get("permissions-policy"), what).toContain("camera=()");
}

describe("security headers", () => {
  it("are on the app's HTML, a client-side route, its script, the API and an error", async () => {
    const html = await fetch(`${local.url}/`);
    expect(html.headers.get("content-type")).toContain("text/html");
    const page = await html.text();
    expectPolicy(html, "/");
    expectPolicy(await fetch(`${local.url}/chat/anything`), "/chat/anything");
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeTruthy();
    expectPolicy(await fetch(`${local.url}${script}`), script ?? "script");
    expectPolicy(await fetch(`${local.url}/api/me`, { headers: { authorization: `Bearer ${me.token}` } }), "/api/me");
    expectPolicy(await fetch(`${local.url}/api/nope`), "404");
    expectPolicy(await fetch(`${local.url}/healthz`), "/healthz");
  });

  it("marks API JSON no-store, the authenticated and the account answers above all", async () => {
    const mine = await fetch(`${local.url}/api/me`, { headers: { authorization: `Bearer ${me.token}` } });
    expect(mine.headers.get("cache-control")).toBe("no-store");
    const login = await client(local.url).call("/api/auth/login", {
      method: "POST",
      json: { login: me.username, password: "correct horse battery" },
    });
    expect(login.status).toBe(200);
    expect(login.headers.get("cache-control")).toBe("no-store");
  });

  it("sends HSTS in production only", async () => {
    expect((await fetch(`${local.url}/`)).headers.get("strict-transport-security")).toBeNull();
    expect((await fetch(`${local.url}/api/meta`)).headers.get("strict-transport-security")).toBeNull();
    for (const path of ["/", "/api/meta"]) {
      const hsts = (await fetch(`${production.url}${path}`)).headers.get("strict-transport-security") ?? "";
      expect(hsts, path).toMatch(/max-age=\d{7,}/);
    }
  });

  it("the built app has no inline script, style element or event handler for the policy to forbid", () => {
    const html = readFileSync("web/dist/index.html", "utf8");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      // Same-origin files only (bundles under /assets, the tiny theme script
      // that must run before paint), nothing protocol-relative or remote.
      expect(attrs).toMatch(/\bsrc="\/[^/]/);
      expect(body.trim()).toBe("");
    }
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  it("wrangler.toml sends every request through the worker first, so the headers reach the app in production too", () => {
    expect(readFileSync("wrangler.toml", "utf8")).toMatch(/^run_worker_first = true$/m);
  });
});

/**
 * Password guessing in parallel against the throttle (issue 10 items 7 and
 * 9): the attempt is counted before the password is checked, so no burst of
 * guesses gets more checks than the limit. Runs alone after the suite (see
 * vitest.config.ts): each parallel request opens its own PostgreSQL
 * connection, as in production behind Hyperdrive.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../dev/stack";
import { client, loginAt, PASSWORD, startWorker, unique } from "./worker";

// Each stack has its own AUTH_SECRET, so its throttle counts are its own even in the Redis every run shares.
const secret = () => randomBytes(32).toString("base64url");
let main: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  main = await startWorker({ env: { AUTH_SECRET: secret() } });
  api = client(main.url);
});
afterAll(async () => {
  await main?.close();
});

const statuses = (responses: Response[]) => responses.map((r) => r.status);
const count = (list: number[], status: number) => list.filter((s) => s === status).length;
const change = (token: string, currentPassword: string, newPassword: string) =>
  api.call("/api/me/password", { method: "POST", headers: { authorization: `Bearer ${token}` }, json: { currentPassword, newPassword } });

describe("login throttle under concurrency (issue 10 item 7)", () => {
  it("30 parallel wrong passwords for one account: at most 10 are checked, the rest get 429", async () => {
    const victim = await api.register(unique("par"));
    const res = await Promise.all(Array.from({ length: 30 }, (_, i) => loginAt(api, victim.username, `wrong guess ${i}`)));
    const s = statuses(res);
    expect(count(s, 401) + count(s, 429), s.join(",")).toBe(30);
    expect(count(s, 401), s.join(",")).toBeLessThanOrEqual(10);
    expect(count(s, 401)).toBeGreaterThan(0);
    const throttled = res.find((r) => r.status === 429)!;
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    // The right password is refused too until the window ends: the count is of guesses, not of failures seen so far.
    expect((await loginAt(api, victim.username, PASSWORD)).status).toBe(429);
  });

  it("60 parallel guesses at 60 accounts from one address: at most 50 are checked", async () => {
    const stack = await startWorker({ env: { AUTH_SECRET: secret() } });
    try {
      const own = client(stack.url);
      const res = await Promise.all(Array.from({ length: 60 }, () => loginAt(own, unique("ghost"), "wrong password", "10.9.8.7")));
      const s = statuses(res);
      expect(count(s, 401) + count(s, 429), s.join(",")).toBe(60);
      expect(count(s, 401), s.join(",")).toBeLessThanOrEqual(50);
    } finally {
      await stack.close();
    }
  });
});

describe("password change throttle (issue 10 item 9)", () => {
  it("is throttled like sign-in: 15 wrong current passwords give at most 10 checks", async () => {
    const s = await api.register(unique("pwt"));
    const res = await Promise.all(Array.from({ length: 15 }, (_, i) => change(s.token, `not it ${i}`, "whatever new one")));
    const list = statuses(res);
    expect(count(list, 401), list.join(",")).toBeLessThanOrEqual(10);
    expect(count(list, 429), list.join(",")).toBeGreaterThanOrEqual(5);
    // And it shares the count with sign-in.
    expect((await loginAt(api, s.username, PASSWORD)).status).toBe(429);
  });
});

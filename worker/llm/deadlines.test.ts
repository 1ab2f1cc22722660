import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DeadlineKind } from "./deadlines";
import { createDeadlines } from "./deadlines";

const limits = { firstTokenMs: 1000, gapMs: 200, totalMs: 5000 };

describe("createDeadlines", () => {
  let fired: DeadlineKind[];
  beforeEach(() => {
    vi.useFakeTimers();
    fired = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("expires the first-token deadline", () => {
    const d = createDeadlines(limits, (k) => fired.push(k));
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["first_token"]);
    expect(d.expired).toBe("first_token");
  });

  it("switches to the gap once a token arrives, and each token restarts it", () => {
    const d = createDeadlines(limits, (k) => fired.push(k));
    vi.advanceTimersByTime(100);
    d.token();
    vi.advanceTimersByTime(150);
    d.token();
    vi.advanceTimersByTime(150);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(60);
    expect(fired).toEqual(["gap"]);
  });

  it("does not count time the consumer holds the stream", () => {
    const d = createDeadlines(limits, (k) => fired.push(k));
    d.token();
    d.pause();
    vi.advanceTimersByTime(1000);
    d.resume();
    vi.advanceTimersByTime(199);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(["gap"]);
  });

  it("expires the total deadline while tokens keep coming, once", () => {
    const d = createDeadlines(limits, (k) => fired.push(k));
    for (let t = 0; t < 60; t++) {
      vi.advanceTimersByTime(100);
      d.token();
    }
    expect(fired).toEqual(["total"]);
  });

  it("stops every timer on dispose", () => {
    const d = createDeadlines(limits, (k) => fired.push(k));
    d.dispose();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

import { expect, describe as group, it } from "vitest";
import { ApiFailure } from "./api";
import { describe, retryable } from "./errors";

group("error sentences", () => {
  it("never shows a validator's text: a refused field gets a sentence a person can act on", () => {
    const raw = new ApiFailure(400, "invalid_input", "password: Too small: expected string to have >=8 characters", undefined, "password");
    expect(describe(raw)).toBe("Use at least 8 characters.");
    const unknownField = new ApiFailure(400, "invalid_input", "data.x: Invalid input: expected string, received undefined", undefined, "x");
    expect(describe(unknownField)).toBe("Some of what was entered is not valid. Check the fields and try again.");
  });

  it("keeps the server's own words where they are written for people (the length limit)", () => {
    const long = new ApiFailure(
      413,
      "message_too_long",
      "This message is 900 tokens; … at most 800 tokens (about 3200 characters of English).",
    );
    expect(describe(long)).toMatch(/at most 800 tokens/);
  });

  it("adds the wait to a throttled answer", () => {
    expect(describe(new ApiFailure(429, "rate_limited", "x", 75))).toBe("Too many requests. Try again in 1 min 15 s.");
  });

  it("offers Retry only where sending again can work", () => {
    expect(retryable(new ApiFailure(0, "network", ""))).toBe(true);
    expect(retryable(new ApiFailure(502, "upstream_error", ""))).toBe(true);
    for (const code of ["message_too_long", "content_too_large", "turn_in_progress", "invalid_input"] as const) {
      expect(retryable(new ApiFailure(400, code, ""))).toBe(false);
    }
  });
});

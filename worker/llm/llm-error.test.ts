import { describe, expect, it } from "vitest";
import { errorFromStatus, isRetryable, LlmError, parseRetryAfter, upstreamErrorCode } from "./llm-error";

describe("errorFromStatus", () => {
  it.each([
    [429, "rate_limited"],
    [502, "llm_unavailable"],
    [503, "llm_unavailable"],
    [504, "upstream_timeout"],
    [500, "upstream_error"],
    [400, "upstream_error"],
    [401, "upstream_error"],
  ] as const)("maps %i to %s", (status, code) => {
    expect(errorFromStatus(status, "", null)).toMatchObject({ code, status, afterTokens: false });
  });

  it("keeps the upstream's error code and Retry-After", () => {
    const err = errorFromStatus(429, '{"error":{"code":"token_budget_exceeded","message":"x"}}', "12");
    expect(err).toMatchObject({ code: "rate_limited", upstreamCode: "token_budget_exceeded", retryAfter: 12 });
    expect(err.message).not.toContain('"message"');
  });
});

describe("isRetryable", () => {
  it("retries 5xx and connection trouble before tokens only", () => {
    expect(isRetryable(errorFromStatus(500, "", null))).toBe(true);
    expect(isRetryable(errorFromStatus(503, "", null))).toBe(true);
    expect(isRetryable(errorFromStatus(429, "", null))).toBe(false);
    expect(isRetryable(errorFromStatus(404, "", null))).toBe(false);
    expect(isRetryable(new LlmError("llm_unavailable", "refused"))).toBe(true);
    expect(isRetryable(new LlmError("interrupted", "cut"))).toBe(true);
    expect(isRetryable(new LlmError("interrupted", "cut", { afterTokens: true }))).toBe(false);
    expect(isRetryable(new LlmError("upstream_timeout", "slow"))).toBe(false);
    expect(isRetryable(new LlmError("upstream_error", "bad chunk"))).toBe(false);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("3")).toBe(3);
    expect(parseRetryAfter("1.2")).toBe(2);
    expect(parseRetryAfter("Thu, 01 Jan 1970 00:00:30 GMT", 10_000)).toBe(20);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("upstreamErrorCode", () => {
  it("reads error.code, then error.type", () => {
    expect(upstreamErrorCode('{"error":{"code":"a","type":"b"}}')).toBe("a");
    expect(upstreamErrorCode('{"error":{"type":"b"}}')).toBe("b");
    expect(upstreamErrorCode('{"error":"flat"}')).toBeUndefined();
    expect(upstreamErrorCode("<html>")).toBeUndefined();
  });
});

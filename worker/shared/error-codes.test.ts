import { describe, expect, it } from "vitest";
import { errorMessage, errorStatus, isErrorCode } from "./error-codes";

describe("the error table", () => {
  it("gives each code its status and public message", () => {
    expect([errorStatus("invalid_input"), errorMessage("invalid_input")]).toEqual([400, "The request is invalid."]);
    expect(errorStatus("reply_cancelled")).toBe(409);
    expect(errorStatus("upstream_timeout")).toBe(504);
    expect([errorStatus("model_not_found"), errorMessage("model_not_found")]).toEqual([404, "No pool serves this model."]);
  });

  it("guards codes read off the wire: API codes only, nothing inherited, no other types", () => {
    expect(isErrorCode("turn_in_progress")).toBe(true);
    expect(isErrorCode("concurrency_limited")).toBe(true);
    for (const code of ["upstream_interrupted", "limits_unavailable", "toString", "__proto__", "constructor", "", "TURN_IN_PROGRESS"]) {
      expect(isErrorCode(code), code).toBe(false);
    }
    for (const value of [undefined, null, 404, { code: "not_found" }]) expect(isErrorCode(value)).toBe(false);
  });
});

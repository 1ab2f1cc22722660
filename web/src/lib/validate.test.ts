import { describe, expect, it } from "vitest";
import { check, email, fieldMessage, maxLength, password, required, username } from "./validate";

describe("form rules", () => {
  it("words each failure for a person and passes valid input", () => {
    const rules = { username: [required("Username"), username], email: [required("Email"), email], password: [password] };
    expect(check({ username: "", email: "x", password: "short" }, rules)).toEqual({
      username: "Username is required.",
      email: "Enter an email address like name@example.com.",
      password: "Use at least 8 characters.",
    });
    expect(check({ username: "a b", email: "a@b.co", password: "long enough" }, rules)).toEqual({
      username: "Use 3 to 32 letters, digits, dots, dashes or underscores (no spaces).",
    });
    expect(check({ username: "ana_1", email: "a@b.co", password: "long enough" }, rules)).toEqual({});
  });

  it("states a length limit with the current length", () => {
    expect(maxLength("Tagline", 5)("abcdefg")).toBe("Tagline may be at most 5 characters (now 7).");
    expect(maxLength("Tagline", 5)("abc")).toBeNull();
  });

  it("never passes validator text through: a refused field gets our sentence", () => {
    expect(fieldMessage("password")).toBe("Use at least 8 characters.");
    expect(fieldMessage("data.name")).toBe("Enter a name of at most 100 characters.");
    expect(fieldMessage("something_else")).toBeNull();
    expect(fieldMessage(undefined)).toBeNull();
  });
});

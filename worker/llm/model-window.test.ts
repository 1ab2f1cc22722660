import { describe, expect, it } from "vitest";
import { budgetFor } from "./config";
import { readModelWindow } from "./model-window";

describe("readModelWindow", () => {
  const body = {
    object: "list",
    data: [
      { id: "llama-3.1-8b-instruct", object: "model", max_model_len: 8192 },
      { id: "qwen2.5-1.5b-instruct", object: "model" },
      { id: "odd", max_model_len: "4096" },
      { id: "tiny", max_model_len: 16 },
    ],
  };

  it("finds the model's max_model_len", () => {
    expect(readModelWindow(body, "llama-3.1-8b-instruct")).toBe(8192);
  });

  it("says nothing for a model without one, an unknown model, or a value that is not a sane window", () => {
    expect(readModelWindow(body, "qwen2.5-1.5b-instruct")).toBeUndefined();
    expect(readModelWindow(body, "gpt-4")).toBeUndefined();
    expect(readModelWindow(body, "odd")).toBeUndefined();
    expect(readModelWindow(body, "tiny")).toBeUndefined();
    expect(readModelWindow({ error: "nope" }, "llama-3.1-8b-instruct")).toBeUndefined();
    expect(readModelWindow(null, "x")).toBeUndefined();
  });
});

describe("budgetFor", () => {
  const configured = { context: 8192, reply: 512, prompt: 7680 };

  it("keeps the configured budget when the window is unknown", () => {
    expect(budgetFor(configured, undefined)).toBe(configured);
  });

  it("follows a reported window, smaller or larger, keeping the reply's reserve", () => {
    expect(budgetFor(configured, 4096)).toEqual({ context: 4096, reply: 512, prompt: 3584 });
    expect(budgetFor(configured, 32768)).toEqual({ context: 32768, reply: 512, prompt: 32256 });
  });

  it("never lets the reply take more than half of a small window", () => {
    expect(budgetFor(configured, 512)).toEqual({ context: 512, reply: 256, prompt: 256 });
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { readText } from "./body";

const stream = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(new TextEncoder().encode(p));
      c.close();
    },
  });
const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://x/", { method: "POST", body, headers, duplex: "half" } as RequestInit);

async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
}

describe("readText", () => {
  it("reads a body within the limit, multi-byte text intact", async () => {
    expect(await readText(post(stream("héllo ", "wörld 🌍")), 100)).toBe("héllo wörld 🌍");
  });

  it("refuses a declared length over the limit before reading", async () => {
    expect(await refusal(readText(post("x".repeat(10), { "content-length": "10" }), 5))).toBe("content_too_large");
  });

  it("refuses a chunked body once it passes the limit", async () => {
    expect(await refusal(readText(post(stream("abc", "def", "ghi")), 7))).toBe("content_too_large");
  });

  it("counts bytes, not characters", async () => {
    expect(await refusal(readText(post(stream("ééé")), 5))).toBe("content_too_large");
    expect(await readText(post(stream("éé")), 4)).toBe("éé");
  });

  it("reads an absent body as empty", async () => {
    expect(await readText(new Request("http://x/", { method: "POST" }))).toBe("");
  });
});

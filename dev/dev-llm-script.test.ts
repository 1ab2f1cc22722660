import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSseParser } from "../worker/llm/sse";
import { type DevLlm, devReplyWords, type RecordedRequest, startDevLlm } from "./dev-llm";
import { createScript, parseScript, scriptPieces, UNSCRIPTED_REPLY } from "./dev-llm-script";

describe("script queue", () => {
  it("answers each queued reply once, in order, and `-` to anything else", () => {
    const s = createScript();
    expect(s.active).toBe(false);
    expect(s.add([])).toBe(0);
    expect(s.active).toBe(true);
    s.add([
      { lastUser: "hi", reply: "one" },
      { lastUser: "hi", reply: "two" },
      { lastUser: "bye", reply: "ciao" },
    ]);
    expect(s.pending()).toBe(3);
    expect(s.take("other")).toBe(UNSCRIPTED_REPLY);
    expect([s.take("hi"), s.take("hi"), s.take("hi")]).toEqual(["one", "two", "-"]);
    expect(s.take("bye")).toBe("ciao");
    expect(s.pending()).toBe(0);
    s.clear();
    expect(s.active).toBe(false);
  });

  it("streams pieces that join back to exactly the text", () => {
    const text = "First line [shares a photo]\nSecond  line, with  spaces ";
    expect(scriptPieces(text).join("")).toBe(text);
    expect(scriptPieces("-")).toEqual(["-"]);
  });

  it("rejects malformed scripts", () => {
    expect(parseScript({ replies: [{ lastUser: "a", reply: "b" }] })).toEqual([{ lastUser: "a", reply: "b" }]);
    for (const bad of [null, {}, { replies: "x" }, { replies: [{ lastUser: "a" }] }, { replies: [{ lastUser: "a", reply: "" }] }])
      expect(parseScript(bad)).toBeNull();
  });
});

describe("dev LLM in scripted mode", () => {
  let llm: DevLlm;
  let root: string;
  beforeAll(async () => {
    llm = await startDevLlm({ wordDelayMs: 0 });
    root = llm.url.replace(/\/v1$/, "");
  });
  afterAll(() => llm.close());

  const ask = async (lastUser: string, stream: boolean) => {
    const res = await fetch(`${llm.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "m",
        stream,
        max_tokens: 2,
        stream_options: { include_usage: true },
        messages: [
          { role: "system", content: "sys" },
          { role: "user", content: lastUser },
        ],
      }),
    });
    if (!stream) {
      const body = (await res.json()) as { choices: { message: { content: string } }[]; usage?: unknown };
      return { text: body.choices[0].message.content, usage: body.usage };
    }
    const parser = createSseParser();
    let text = "";
    let usage: unknown;
    for (const ev of parser.push(await res.text())) {
      if (ev.data === "[DONE]") continue;
      const chunk = JSON.parse(ev.data) as { choices: { delta: { content?: string } }[]; usage?: unknown };
      text += chunk.choices[0]?.delta.content ?? "";
      usage ??= chunk.usage;
    }
    return { text, usage };
  };
  const script = (replies: { lastUser: string; reply: string }[]) =>
    fetch(`${root}/_debug/script`, { method: "POST", body: JSON.stringify({ replies }) });

  it("answers the scripted reply verbatim, `-` otherwise, without usage, ignoring knobs and max_tokens", async () => {
    const reply = "Line one of the reply.\nLine two [shares a dog on a beach] with more words than max_tokens.";
    expect(await (await script([{ lastUser: "[[fail:500]] hello", reply }])).json()).toEqual({ pending: 1 });
    expect(await ask("[[fail:500]] hello", true)).toEqual({ text: reply, usage: undefined });
    expect(await ask("[[fail:500]] hello", true)).toEqual({ text: "-", usage: undefined });
    await script([{ lastUser: "json turn", reply: "as JSON" }]);
    expect(await ask("json turn", false)).toEqual({ text: "as JSON", usage: undefined });
    expect(await ask("a question", false)).toEqual({ text: "-", usage: undefined });
    expect((await script([{ lastUser: "x", reply: "" }])).status).toBe(400);

    await fetch(`${root}/_debug/script`, { method: "DELETE" });
    const normal = await ask("hello again", false);
    expect(normal.text).toBe(devReplyWords("hello again").slice(0, 2).join(" "));
    expect(normal.usage).toBeDefined();
  });

  it("lists only the requests after a sequence number", async () => {
    const { total } = (await (await fetch(`${root}/_debug/requests`)).json()) as { total: number };
    await ask("newest one", false);
    const log = (await (await fetch(`${root}/_debug/requests?after=${total}`)).json()) as { count: number; requests: RecordedRequest[] };
    expect(log.count).toBe(1);
    expect(log.requests[0].seq).toBe(total + 1);
    expect(JSON.stringify(log.requests[0].body)).toContain("newest one");
  });
});

/**
 * The message length limit before sending: the character reads at most
 * `maxMessageTokens` beside its sheet (the server says how many), and a body
 * may be at most 32 KiB. Text is measured by characters (about four a token)
 * until it nears the limit; then the real tokenizer (the server's, cl100k)
 * is loaded once and counts exactly. Pure except `createLengthCheck`.
 */
import { type Accessor, createEffect, createSignal } from "solid-js";

export const BODY_LIMIT_BYTES = 32 * 1024;
const CHARS_PER_TOKEN = 4;

export interface LengthStatus {
  /** Worth showing: the text is past half of what fits. */
  show: boolean;
  over: boolean;
  label: string;
}

/** Where `text` stands against the limits; `tokens` is exact when known, else null (estimated from characters). */
export function lengthStatus(chars: number, bytes: number, tokens: number | null, maxTokens: number | null): LengthStatus {
  if (bytes > BODY_LIMIT_BYTES) {
    return { show: true, over: true, label: `Too long to send: ${Math.ceil(bytes / 1024)} KiB of at most 32 KiB.` };
  }
  if (!maxTokens) return { show: false, over: false, label: "" };
  const fmt = (n: number) => n.toLocaleString("en");
  if (tokens !== null) {
    const over = tokens > maxTokens;
    const label = over
      ? `${fmt(tokens - maxTokens)} tokens over the limit of ${fmt(maxTokens)}: shorten it to send.`
      : `${fmt(tokens)} / ${fmt(maxTokens)} tokens`;
    return { show: tokens > maxTokens / 2, over, label };
  }
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  return { show: chars > maxChars / 2, over: false, label: `about ${fmt(chars)} / ${fmt(maxChars)} characters` };
}

type Counter = (text: string) => number;

/** The live status of the message box's text; loads the tokenizer once the text nears the limit. */
export function createLengthCheck(text: Accessor<string>, maxTokens: Accessor<number | null>): Accessor<LengthStatus> {
  const [count, setCount] = createSignal<Counter | null>(null);
  let loading = false;
  createEffect(() => {
    const max = maxTokens();
    if (!max || loading || text().length < (max * CHARS_PER_TOKEN) / 3) return;
    loading = true;
    void import("gpt-tokenizer/encoding/cl100k_base").then(
      (m) => setCount(() => m.countTokens),
      () => {
        loading = false;
      },
    );
  });
  return () => {
    const t = text();
    const counter = count();
    return lengthStatus(t.length, new TextEncoder().encode(t).byteLength, counter ? counter(t) : null, maxTokens());
  };
}

/**
 * Token counting with a real tokenizer (cl100k). Each message is counted
 * once, when it is stored; prompts only add up stored counts (the formula:
 * shared/tokens.ts).
 */
import { countTokens as count, decode, encode, setMergeCacheSize } from "gpt-tokenizer/encoding/cl100k_base";

export { MESSAGE_OVERHEAD, messageTokens, REPLY_PRIMING } from "../shared/tokens";

// The tokenizer's merge cache would keep word pieces of every user's text in memory that all of an
// isolate's session objects share (up to 100,000 of them): no state outlives a call here.
setMergeCacheSize(0);

export function countTokens(text: string): number {
  return count(text);
}

/** The longest prefix of `text` within `max` tokens. */
export function truncateToTokens(text: string, max: number): string {
  const tokens = encode(text);
  return tokens.length <= max ? text : decode(tokens.slice(0, Math.max(0, max)));
}

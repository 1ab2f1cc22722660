/**
 * Token counting with a real tokenizer (cl100k). Each message is counted
 * once, when it is stored; prompts only add up stored counts.
 */
import { countTokens as count, decode, encode } from "gpt-tokenizer/encoding/cl100k_base";

/** Tokens a chat message costs beyond its text (role and separators, as OpenAI counts them). */
export const MESSAGE_OVERHEAD = 4;
/** Tokens that prime the assistant's reply. */
export const REPLY_PRIMING = 3;

export function countTokens(text: string): number {
  return count(text);
}

/** The longest prefix of `text` within `max` tokens. */
export function truncateToTokens(text: string, max: number): string {
  const tokens = encode(text);
  return tokens.length <= max ? text : decode(tokens.slice(0, Math.max(0, max)));
}

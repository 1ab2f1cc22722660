/**
 * The message token formula, written once: how a chat prompt's size adds up
 * from its messages, as OpenAI counts chat messages. The worker budgets
 * prompts with it (with its own tokenizer), the development LLM reports usage
 * with it (with a model's tokenizer), tests check budgets with it. Pure: the
 * tokenizer comes in as an argument, so no bundle that imports this carries one.
 */

/** Tokens a chat message costs beyond its text (role and separators). */
export const MESSAGE_OVERHEAD = 4;
/** Tokens that prime the assistant's reply, once per prompt. */
export const REPLY_PRIMING = 3;

/** What one message whose text is `contentTokens` long costs in a prompt. */
export function messageTokens(contentTokens: number): number {
  return contentTokens + MESSAGE_OVERHEAD;
}

/** A whole prompt: every message's text and overhead, plus the reply's priming. */
export function promptTokens(messages: readonly { content: string }[], count: (text: string) => number): number {
  let sum = REPLY_PRIMING;
  for (const m of messages) sum += messageTokens(count(m.content));
  return sum;
}

/** A rough count for text no tokenizer has seen (the gateway's, for upstreams that report none): about four characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

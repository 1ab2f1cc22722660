/**
 * The seed's contract (worker/shared/legacy.ts) as one more provider: the
 * mapping between it and the OpenAI shapes the worker speaks. Pure. The
 * answer arrives whole, so a "stream" is one content chunk, a finish chunk,
 * a usage chunk and `[DONE]`.
 */
import { type LegacyRequest, legacyRequest } from "../../worker/shared/legacy";
import { type CompletionMeta, completion, wholeReplyFrames } from "../../worker/shared/openai";
import { estimateTokens } from "../../worker/shared/tokens";
import type { Usage } from "./usage";

/** The last user message and the character id the worker passed along (`character_id` or `metadata.character_id`). */
export function toLegacyRequest(body: {
  messages: { role: string; content?: unknown }[];
  character_id?: unknown;
  metadata?: unknown;
}): LegacyRequest {
  const metadata = (body.metadata ?? {}) as { character_id?: unknown };
  const characterId = body.character_id ?? metadata.character_id;
  return legacyRequest(body.messages, characterId === undefined ? "" : String(characterId));
}

/** Estimated usage of a legacy exchange (the seed reports none). */
export function legacyUsage(request: LegacyRequest, reply: string): Usage {
  return { promptTokens: estimateTokens(request.message), completionTokens: estimateTokens(reply), estimated: true };
}

/** A `chat.completion` object for a whole reply. */
export function completionJson(meta: CompletionMeta, reply: string, usage: Usage): string {
  return JSON.stringify(completion(meta, reply, "stop", usage));
}

/** The SSE text of a whole reply, as a streaming OpenAI server would send it. */
export function completionSse(meta: CompletionMeta, reply: string, usage: Usage): string {
  return wholeReplyFrames(meta, reply, usage);
}

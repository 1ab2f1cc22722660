/**
 * The seed's contract as one more provider: `POST {base}/generate
 * {message, character_id}` → `{response}`. Pure mapping between it and the
 * OpenAI shapes the worker speaks; the answer arrives whole, so a "stream" is
 * one content chunk, a finish chunk, a usage chunk and `[DONE]`.
 */
import { estimateTokens, type Usage } from "./usage";

export interface LegacyRequest {
  message: string;
  character_id: string;
}

type Part = { type?: unknown; text?: unknown };
type Message = { role: string; content?: unknown };

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? (content as Part[])
          .filter((p) => p?.type === "text" && typeof p.text === "string")
          .map((p) => p.text as string)
          .join("\n")
      : "";

/** The last user message and the character id the worker passed along (`character_id` or `metadata.character_id`). */
export function toLegacyRequest(body: { messages: Message[]; character_id?: unknown; metadata?: unknown }): LegacyRequest {
  const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
  const metadata = (body.metadata ?? {}) as { character_id?: unknown };
  const characterId = body.character_id ?? metadata.character_id;
  return { message: textOf(lastUser?.content), character_id: characterId === undefined ? "" : String(characterId) };
}

/** Estimated usage of a legacy exchange (the seed reports none). */
export function legacyUsage(request: LegacyRequest, reply: string): Usage {
  return { promptTokens: estimateTokens(request.message), completionTokens: estimateTokens(reply), estimated: true };
}

const usageJson = (u: Usage) => ({
  prompt_tokens: u.promptTokens ?? 0,
  completion_tokens: u.completionTokens,
  total_tokens: (u.promptTokens ?? 0) + u.completionTokens,
});

export interface Meta {
  id: string;
  created: number;
  model: string;
}

/** A `chat.completion` object for a whole reply. */
export function completionJson(meta: Meta, reply: string, usage: Usage): string {
  return JSON.stringify({
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
    usage: usageJson(usage),
  });
}

/** The SSE text of a whole reply, as a streaming OpenAI server would send it. */
export function completionSse(meta: Meta, reply: string, usage: Usage): string {
  const chunk = (choices: unknown[], extra: object = {}) =>
    `data: ${JSON.stringify({ id: meta.id, object: "chat.completion.chunk", created: meta.created, model: meta.model, choices, ...extra })}` +
    "\n\n";
  return (
    chunk([{ index: 0, delta: { role: "assistant", content: reply }, finish_reason: null }]) +
    chunk([{ index: 0, delta: {}, finish_reason: "stop" }]) +
    chunk([], { usage: usageJson(usage) }) +
    "data: [DONE]\n\n"
  );
}

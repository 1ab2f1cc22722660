/**
 * The seed's legacy LLM contract, written once: `POST {base}/generate
 * {message, character_id}` → `{response}`. Only the last user message
 * travels; the answer comes whole. The worker's legacy provider and the
 * gateway's legacy pools send it, the development LLM answers it. Pure.
 */

export const LEGACY_PATH = "/generate";

export interface LegacyRequest {
  message: string;
  character_id: string;
}

export interface LegacyResponse {
  response: string;
}

type Part = { type?: unknown; text?: unknown };

/** A message's text: a string, or the text parts of an OpenAI content array. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as Part[])
    .filter((p) => p?.type === "text" && typeof p.text === "string")
    .map((p) => p.text as string)
    .join("\n");
}

/** The text of the last user message; "" when there is none. */
export function lastUserText(messages: readonly { role: string; content?: unknown }[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === "user") return contentText(messages[i].content);
  }
  return "";
}

/** The legacy request for a chat: its last user message and the character. */
export function legacyRequest(messages: readonly { role: string; content?: unknown }[], characterId: string): LegacyRequest {
  return { message: lastUserText(messages), character_id: characterId };
}

/** A parsed request body as the server side reads it; null when `message` is no string. */
export function readLegacyRequest(body: unknown): LegacyRequest | null {
  if (typeof body !== "object" || body === null) return null;
  const { message, character_id } = body as { message?: unknown; character_id?: unknown };
  if (typeof message !== "string") return null;
  return { message, character_id: character_id === undefined || character_id === null ? "" : String(character_id) };
}

/** The reply of a parsed answer body; undefined when it has no `response` string. */
export function readLegacyResponse(body: unknown): string | undefined {
  const response = typeof body === "object" && body !== null ? (body as { response?: unknown }).response : undefined;
  return typeof response === "string" ? response : undefined;
}

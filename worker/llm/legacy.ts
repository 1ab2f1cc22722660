/**
 * The seed's legacy provider: `POST {baseUrl}/generate {message, character_id}`
 * → `{response}`. No streaming: the whole reply is one token.
 */
import { LlmError } from "./llm-error";
import { joinUrl, postJson } from "./post";
import type { CompletionRequest, LlmConfig, LlmEvent } from "./types";

/** The legacy request body: only the last user message travels. */
export function legacyBody(req: CompletionRequest): { message: string; character_id: string } {
  let message = "";
  for (let i = req.messages.length - 1; i >= 0; i--) {
    if (req.messages[i].role === "user") {
      message = req.messages[i].content;
      break;
    }
  }
  return { message, character_id: req.characterId };
}

/** One attempt: yields the whole `response` as one token, then `done`. */
export async function* legacyAttempt(
  cfg: LlmConfig,
  req: CompletionRequest,
  headers: Record<string, string>,
  signal: AbortSignal,
): AsyncGenerator<LlmEvent> {
  const res = await postJson(joinUrl(cfg.baseUrl, "/generate"), legacyBody(req), { accept: "application/json", ...headers }, signal);
  let text: string;
  try {
    text = await res.text();
  } catch (cause) {
    throw new LlmError("interrupted", "upstream response broke off", { cause });
  }
  let response: unknown;
  try {
    response = (JSON.parse(text) as { response?: unknown } | null)?.response;
  } catch (cause) {
    throw new LlmError("upstream_error", "upstream sent malformed JSON", { cause });
  }
  if (typeof response !== "string") throw new LlmError("upstream_error", "upstream answer has no `response` string");
  if (response) yield { type: "token", text: response };
  yield { type: "done", finishReason: "stop" };
}

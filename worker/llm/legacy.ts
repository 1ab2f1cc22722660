/**
 * The seed's legacy provider (the contract: shared/legacy.ts). No streaming:
 * the whole reply is one token.
 */
import { LEGACY_PATH, type LegacyRequest, legacyRequest, readLegacyResponse } from "../shared/legacy";
import { LlmError } from "./llm-error";
import { joinUrl, postJson, readWhole } from "./post";
import type { CompletionRequest, LlmConfig, LlmEvent } from "./types";

/** The legacy request body: only the last user message travels. */
export function legacyBody(req: CompletionRequest): LegacyRequest {
  return legacyRequest(req.messages, req.characterId);
}

/** One attempt: yields the whole `response` as one token, then `done`. */
export async function* legacyAttempt(
  cfg: LlmConfig,
  req: CompletionRequest,
  headers: Record<string, string>,
  signal: AbortSignal,
): AsyncGenerator<LlmEvent> {
  const res = await postJson(joinUrl(cfg.baseUrl, LEGACY_PATH), legacyBody(req), { accept: "application/json", ...headers }, signal);
  const text = await readWhole(res);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new LlmError("upstream_error", "upstream sent malformed JSON", { cause });
  }
  const response = readLegacyResponse(body);
  if (response === undefined) throw new LlmError("upstream_error", "upstream answer has no `response` string");
  if (response) yield { type: "token", text: response };
  yield { type: "done", finishReason: "stop" };
}

/**
 * The model's context window as the server in front of it reports it:
 * `GET {baseUrl}/models`, each entry's `max_model_len` (vLLM's field, which
 * the gateway repeats from its pools). The worker sizes its prompts to it,
 * so its budget and the model servers can no longer disagree.
 */
import { attemptHeaders } from "./client";
import { joinUrl } from "./post";
import type { LlmConfig } from "./types";

/** `model`'s window in a `/models` answer, if it gives a sane one. */
export function readModelWindow(body: unknown, model: string): number | undefined {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  const entry = data.find((m): m is { id: string; max_model_len?: unknown } => (m as { id?: unknown } | null)?.id === model);
  const window = entry?.max_model_len;
  return typeof window === "number" && Number.isInteger(window) && window >= 256 ? window : undefined;
}

/**
 * Asks the upstream for `cfg.model`'s window. Resolves undefined when it
 * does not say (a legacy provider, a server without the field); rejects when
 * it cannot be asked (down, refusing, slow past `timeoutMs`).
 */
export async function fetchModelWindow(cfg: LlmConfig, timeoutMs: number): Promise<number | undefined> {
  if (cfg.provider !== "openai") return undefined;
  const res = await fetch(joinUrl(cfg.baseUrl, "/models"), {
    headers: { accept: "application/json", ...(await attemptHeaders(cfg)) },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`GET /models answered ${res.status}`);
  }
  return readModelWindow(await res.json(), cfg.model);
}

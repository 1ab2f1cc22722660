/**
 * The one HTTP call both providers make: POST JSON upstream, turning a
 * failure to connect and a non-2xx answer into LlmError.
 */
import { errorFromStatus, LlmError } from "./llm-error";

const ERROR_BODY_LIMIT = 4096;

/** Joins a base URL and a path without doubling the slash. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

/**
 * POSTs `body` as JSON. Resolves with a 2xx response; rejects with
 * `llm_unavailable` when the upstream cannot be reached, or with the mapped
 * error (see errorFromStatus) for any other status.
 */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal,
    });
  } catch (cause) {
    throw new LlmError("llm_unavailable", "could not reach the upstream LLM", { cause });
  }
  if (res.ok) return res;
  let text = "";
  try {
    text = (await res.text()).slice(0, ERROR_BODY_LIMIT);
  } catch {
    // The status alone says enough.
  }
  throw errorFromStatus(res.status, text, res.headers.get("retry-after"));
}

/** The whole body of an answer that is not streamed; a connection that breaks off is `interrupted`. */
export async function readWhole(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch (cause) {
    throw new LlmError("interrupted", "upstream response broke off", { cause });
  }
}

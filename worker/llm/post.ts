/**
 * The one HTTP call both providers make: POST JSON upstream, over the
 * session object's own sockets when it passes them (http1.ts, sockets.ts),
 * else with fetch(); a failure to connect and a non-2xx answer become
 * LlmError.
 */
import { errorKind, logEvent } from "../log";
import { drain, postOverSocket, readText, type Upstream } from "./http1";
import { errorFromStatus, LlmError } from "./llm-error";
import type { UpstreamSockets } from "./sockets";

export type { Upstream } from "./http1";

const ERROR_BODY_LIMIT = 4096;

/** Joins a base URL and a path without doubling the slash. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

/**
 * POSTs `body` as JSON. Resolves with a 2xx answer; rejects with
 * `llm_unavailable` when the upstream cannot be reached, or with the mapped
 * error (see errorFromStatus) for any other status.
 */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
  sockets?: UpstreamSockets,
): Promise<Upstream> {
  const target = new URL(url);
  const all = { "content-type": "application/json", ...headers };
  const json = JSON.stringify(body);
  const viaFetch = async () => fromFetch(await fetch(url, { method: "POST", headers: all, body: json, signal }));
  let res: Upstream;
  try {
    if (sockets && (target.protocol === "http:" || target.protocol === "https:") && sockets.usable(target)) {
      res = await postOverSocket(sockets, target, json, all, signal).catch((err: unknown) => {
        // A platform that refuses the socket (or an upstream that would not answer on it) still gets fetch(), and the
        // object's next calls there go straight to fetch() for a while instead of paying a failed connect each.
        if (signal.aborted) throw err;
        sockets.refuse(target);
        logEvent("warn", "llm_socket_failed", { error: errorKind(err) });
        return viaFetch();
      });
    } else {
      res = await viaFetch();
    }
  } catch (cause) {
    throw new LlmError("llm_unavailable", "could not reach the upstream LLM", { cause });
  }
  if (res.status >= 200 && res.status < 300) return res;
  let text = "";
  try {
    text = (await res.text()).slice(0, ERROR_BODY_LIMIT);
  } catch {
    // The status alone says enough.
  }
  throw errorFromStatus(res.status, text, res.headers.get("retry-after"));
}

/** fetch()'s answer as an Upstream. */
function fromFetch(res: Response): Upstream {
  const reader = res.body?.getReader();
  const read = async () => {
    const r = await reader?.read();
    return !r || r.done ? null : r.value;
  };
  return {
    status: res.status,
    headers: res.headers,
    read,
    text: () => readText(read),
    release: () => drain(read, () => undefined),
    cancel: () => void reader?.cancel().catch(() => undefined),
  };
}

/** The whole body of an answer that is not streamed; a connection that breaks off is `interrupted`. */
export async function readWhole(res: Upstream): Promise<string> {
  try {
    return await res.text();
  } catch (cause) {
    throw new LlmError("interrupted", "upstream response broke off", { cause });
  }
}

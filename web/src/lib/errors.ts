/** Error codes of the contract as sentences a person can act on. */
import { ApiFailure } from "./api";
import { formatWait } from "./format";

const MESSAGES: Record<string, string> = {
  invalid_credentials: "Wrong username, email or password.",
  username_taken: "That username is taken.",
  email_taken: "An account with that email already exists.",
  turn_in_progress: "A reply is still being written.",
  reply_cancelled: "The reply was stopped before it finished.",
  content_too_large: "That message is too long.",
  message_too_long: "That message is longer than the character can read at once.",
  character_not_found: "This character no longer exists.",
  chat_not_found: "This conversation no longer exists.",
  upstream_error: "The model failed to answer.",
  llm_unavailable: "The model is unavailable right now.",
  upstream_timeout: "The model took too long to answer.",
  connection_lost: "The connection to the server dropped.",
  network: "The server cannot be reached. Check your connection.",
  not_found: "Not found.",
  too_many_attempts: "Too many failed sign-in attempts.",
  rate_limited: "Too many requests.",
  concurrency_limited: "Too many replies at once; wait for one to finish.",
  daily_tokens_exhausted: "Today's token allowance is used up.",
  forbidden: "That is not yours to change.",
};

/** Any thrown value as an ApiFailure. */
export function asFailure(err: unknown): ApiFailure {
  if (err instanceof ApiFailure) return err;
  return new ApiFailure(0, "network", err instanceof Error ? err.message : String(err));
}

/** A readable message, with the wait when the server throttles. */
export function describe(err: unknown): string {
  const f = asFailure(err);
  if (f.status === 429) {
    const wait = f.retryAfter ? ` Try again in ${formatWait(f.retryAfter)}.` : " Try again shortly.";
    return `${MESSAGES[f.code] ?? "Too many requests."}${wait}`;
  }
  return MESSAGES[f.code] ?? (f.message || "Something went wrong.");
}

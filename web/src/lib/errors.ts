/**
 * Error codes of the contract as sentences a person can act on. Every code of
 * the one table (worker/shared/error-codes.ts) and every client-only code has
 * an entry, checked when this compiles: a new code cannot go unworded.
 */
import { ApiFailure, type FailureCode } from "./api";
import { formatWait } from "./format";

/** null: the server's own message is the one to show (for invalid input it names the field). */
const MESSAGES = {
  invalid_json: null,
  invalid_input: null,
  unauthorized: null,
  invalid_credentials: "Wrong username, email or password.",
  invalid_refresh_token: null,
  forbidden: "That is not yours to change.",
  not_found: "Not found.",
  character_not_found: "This character no longer exists.",
  chat_not_found: "This conversation no longer exists.",
  message_not_found: null,
  memory_not_found: null,
  username_taken: "That username is taken.",
  email_taken: "An account with that email already exists.",
  turn_in_progress: "A reply is still being written.",
  reply_cancelled: "The reply was stopped before it finished.",
  conflict: null,
  content_too_large: "That message is too long.",
  message_too_long: "That message is longer than the character can read at once.",
  unsupported_media_type: null,
  too_many_attempts: "Too many failed sign-in attempts.",
  rate_limited: "Too many requests.",
  concurrency_limited: "Too many replies at once; wait for one to finish.",
  daily_tokens_exhausted: "Today's token allowance is used up.",
  invalid_image: "That image is damaged or not a PNG, JPEG or WebP file.",
  image_too_large: "That image is too large: at most 4096 pixels on a side.",
  invalid_card: null,
  internal: null,
  upstream_error: "The model failed to answer.",
  llm_unavailable: "The model is unavailable right now.",
  database_unavailable: null,
  upstream_timeout: "The model took too long to answer.",
  network: "The server cannot be reached. Check your connection.",
  connection_lost: "The connection to the server dropped.",
  unexpected_response: null,
} as const satisfies Record<FailureCode, string | null>;

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

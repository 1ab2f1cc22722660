/**
 * Error codes of the contract as sentences a person can act on. Every code of
 * the one table (worker/shared/error-codes.ts) and every client-only code has
 * an entry, checked when this compiles: a new code cannot go unworded.
 */
import { ApiFailure, type FailureCode } from "./api";
import { formatWait } from "./format";
import { fieldMessage } from "./validate";

/** null: the server's own message is the one to show (it is written for people, e.g. it states the limit). */
const MESSAGES = {
  invalid_json: "The app sent something the server could not read. Reload the page and try again.",
  invalid_input: "Some of what was entered is not valid. Check the fields and try again.",
  unauthorized: "Your session has ended. Sign in again.",
  invalid_credentials: "Wrong username, email or password.",
  invalid_refresh_token: "Your session has ended. Sign in again.",
  forbidden: "That is not yours to change.",
  not_found: null,
  character_not_found: "This character no longer exists.",
  chat_not_found: "This conversation no longer exists.",
  message_not_found: "That message is no longer there; the conversation may have changed in another tab.",
  memory_not_found: "That memory is no longer there; it may have been removed in another tab.",
  username_taken: "That username is taken.",
  email_taken: "An account with that email already exists.",
  turn_in_progress: "A reply is already being written (perhaps from another tab). Your text is kept: send it when the reply is done.",
  reply_cancelled: "The reply was stopped before it finished.",
  conflict: null,
  content_too_large: "That is too long to send: at most 32 KiB at once. Shorten it and send again.",
  message_too_long: null,
  unsupported_media_type: null,
  too_many_attempts: "Too many failed sign-in attempts.",
  rate_limited: "Too many requests.",
  concurrency_limited: "Too many replies at once; wait for one to finish.",
  daily_tokens_exhausted: "Today's token allowance is used up.",
  invalid_image: "That image is damaged or not a PNG, JPEG or WebP file.",
  image_too_large: "That image is too large: at most 4096 pixels on a side.",
  invalid_card: null,
  internal: "Something went wrong on our side. Try again in a moment.",
  upstream_error: "The model failed to answer.",
  llm_unavailable: "The model is unavailable right now.",
  database_unavailable: "The service is briefly unavailable. Try again in a moment.",
  upstream_timeout: "The model took too long to answer.",
  network: "The server cannot be reached. Check your connection.",
  connection_lost: "The connection to the server dropped.",
  unexpected_response: "The server answered in a way the app does not understand. Try again in a moment.",
} as const satisfies Record<FailureCode, string | null>;

/** Server messages that are meant for people; the others (validator text) are replaced by our sentence. */
const SERVER_WORDS: ReadonlySet<FailureCode> = new Set<FailureCode>([
  "message_too_long",
  "invalid_card",
  "conflict",
  "not_found",
  "unsupported_media_type",
]);

/** Codes where the same request, sent again, cannot succeed. */
const FINAL: ReadonlySet<FailureCode> = new Set<FailureCode>([
  "invalid_json",
  "invalid_input",
  "unauthorized",
  "invalid_refresh_token",
  "forbidden",
  "not_found",
  "character_not_found",
  "chat_not_found",
  "message_not_found",
  "memory_not_found",
  "turn_in_progress",
  "reply_cancelled",
  "conflict",
  "content_too_large",
  "message_too_long",
  "unsupported_media_type",
  "daily_tokens_exhausted",
  "invalid_card",
  "invalid_image",
  "image_too_large",
]);

/** True when trying the same request again may work (a network drop, an overloaded model), so a Retry button helps. */
export function retryable(err: unknown): boolean {
  return !FINAL.has(asFailure(err).code);
}

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
  if (f.code === "invalid_input") return fieldMessage(f.field) ?? MESSAGES.invalid_input;
  const own = MESSAGES[f.code];
  if (own !== null) return own;
  return SERVER_WORDS.has(f.code) && f.message ? f.message : "Something went wrong. Try again in a moment.";
}

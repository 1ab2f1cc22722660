/**
 * The one table of error codes: stable snake_case code → HTTP status and
 * public message, for every hop. The worker answers the API's codes, the web
 * client shows them (its sentences are checked against this list when it
 * compiles), and the LLM gateway answers its own codes to the worker, passing
 * some of the API's on (its limits reach the user as they are). Pure.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

type Row = readonly [status: ContentfulStatusCode, message: string];

/** What the worker's public API answers. */
const api = {
  invalid_json: [400, "The request body is not valid JSON."],
  invalid_card: [400, "The file is not a character card we can read."],
  invalid_image: [400, "The image is damaged or not a PNG, JPEG or WebP file."],
  invalid_input: [400, "The request is invalid."],
  unauthorized: [401, "Missing or invalid access token."],
  invalid_credentials: [401, "Wrong login or password."],
  invalid_refresh_token: [401, "The session has expired; sign in again."],
  forbidden: [403, "You may not change this."],
  not_found: [404, "Not found."],
  character_not_found: [404, "Character not found."],
  chat_not_found: [404, "Conversation not found."],
  message_not_found: [404, "Message not found."],
  memory_not_found: [404, "Memory not found."],
  username_taken: [409, "That username is taken."],
  email_taken: [409, "That email is already registered."],
  turn_in_progress: [409, "A reply is still being written."],
  reply_cancelled: [409, "The reply was stopped before it finished; what was written is kept in the conversation."],
  conflict: [409, "The request conflicts with the current state."],
  content_too_large: [413, "The request body is too large."],
  message_too_long: [413, "This message is longer than the character can read at once."],
  image_too_large: [413, "The image has too many pixels (at most 4096 on a side)."],
  unsupported_media_type: [415, "Send JSON (Content-Type: application/json)."],
  too_many_attempts: [429, "Too many failed sign-in attempts; wait and try again."],
  rate_limited: [429, "Too many requests; wait and try again."],
  concurrency_limited: [429, "Too many replies at once; wait for one to finish."],
  daily_tokens_exhausted: [429, "Today's token allowance is used up."],
  internal: [500, "Something went wrong on our side."],
  upstream_error: [502, "The language model failed to answer."],
  llm_unavailable: [503, "The language model is unavailable right now."],
  database_unavailable: [503, "The database is unavailable right now."],
  upstream_timeout: [504, "The language model took too long to answer."],
} as const satisfies Record<string, Row>;

/** What only the gateway answers; its one caller, the worker, maps these by status. */
const gatewayOnly = {
  model_not_found: [404, "No pool serves this model."],
  upstream_rejected: [400, "The model server rejected the request."],
  upstream_unavailable: [502, "No model server could take the request."],
  upstream_interrupted: [502, "The model server stopped in the middle of the reply."],
  limits_unavailable: [503, "Usage limits cannot be checked right now."],
} as const satisfies Record<string, Row>;

/** A code of the public API. */
export type ErrorCode = keyof typeof api;

/** Every code the gateway answers: its own and the API's it shares. */
export type GatewayErrorCode =
  | keyof typeof gatewayOnly
  | Extract<
      ErrorCode,
      | "unauthorized"
      | "invalid_input"
      | "content_too_large"
      | "not_found"
      | "concurrency_limited"
      | "daily_tokens_exhausted"
      | "upstream_timeout"
      | "internal"
    >;

/** Any code of the table. */
export type AnyErrorCode = ErrorCode | GatewayErrorCode;

// A code means one thing everywhere: the two parts may not share one.
const disjoint: Extract<ErrorCode, keyof typeof gatewayOnly> extends never ? true : never = true;
void disjoint;

const table: Record<AnyErrorCode, Row> = { ...api, ...gatewayOnly };

/** True for a code of the public API: the type guard for codes read off the wire. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(api, code);
}

export function errorStatus(code: AnyErrorCode): ContentfulStatusCode {
  return table[code][0];
}

/** The table's public message for `code`. */
export function errorMessage(code: AnyErrorCode): string {
  return table[code][1];
}

/**
 * The one table of error codes. Every error a client sees comes from here,
 * as {"error": {"code", "message", "requestId"}} with the table's status.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

const table = {
  invalid_json: [400, "The request body is not valid JSON."],
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
} as const satisfies Record<string, readonly [ContentfulStatusCode, string]>;

export type ErrorCode = keyof typeof table;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(table, code);
}

export function errorStatus(code: ErrorCode): ContentfulStatusCode {
  return table[code][0];
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; retryAfter?: number; requestId?: string };
}

/** The public body of an error; `message` overrides the table's text. */
export function errorBody(code: ErrorCode, extra: Omit<ErrorBody["error"], "code" | "message"> & { message?: string } = {}): ErrorBody {
  const { message, ...rest } = extra;
  return { error: { code, message: message ?? table[code][1], ...rest } };
}

/** The one error type thrown in the worker; `app.onError` answers it. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: { message?: string; field?: string; retryAfter?: number } = {},
  ) {
    super(detail.message ?? table[code][1]);
    this.name = "AppError";
  }
}

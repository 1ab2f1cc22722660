/**
 * The worker's side of the one error table (shared/error-codes.ts): every
 * error a client sees is {"error": {"code", "message", "requestId"}} with the
 * table's status, and AppError is how the worker throws one.
 */
import { type ErrorCode, errorMessage } from "./shared/error-codes";
import type { ApiError } from "./shared/wire";

export type { ErrorCode } from "./shared/error-codes";
export { errorMessage, errorStatus, isErrorCode } from "./shared/error-codes";

export type ErrorBody = ApiError;

/** The public body of an error; `message` overrides the table's text. */
export function errorBody(code: ErrorCode, extra: Omit<ErrorBody["error"], "code" | "message"> & { message?: string } = {}): ErrorBody {
  const { message, ...rest } = extra;
  return { error: { code, message: message ?? errorMessage(code), ...rest } };
}

/** The one error type thrown in the worker; `app.onError` answers it. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: { message?: string; field?: string; retryAfter?: number } = {},
  ) {
    super(detail.message ?? errorMessage(code));
    this.name = "AppError";
  }
}

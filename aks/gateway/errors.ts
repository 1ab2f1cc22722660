/**
 * The gateway's side of the one error table (worker/shared/error-codes.ts):
 * its codes answered as `{"error": {"code", "message"}}` (OpenAI-ish). The
 * request id travels in the `x-request-id` header, not the body, so that
 * every auth failure gets a byte-identical 401.
 */
import { errorMessage, errorStatus, type GatewayErrorCode } from "../../worker/shared/error-codes";

export type { GatewayErrorCode } from "../../worker/shared/error-codes";

export interface ErrorOptions {
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /** Replaces the table's message (only for messages safe to show). */
  message?: string;
  /** Replaces the table's status (upstream 4xx passed on as such). */
  status?: number;
}

/** An expected failure that carries its response; `app.onError` answers it. */
export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    readonly options: ErrorOptions = {},
  ) {
    super(code);
    this.name = "GatewayError";
  }

  toResponse(): Response {
    return errorResponse(this.code, this.options);
  }
}

/** The JSON body of an error (also used as an SSE `error` event's data). */
export function errorBody(code: GatewayErrorCode, message?: string, retryAfter?: number): string {
  const error = { code, message: message ?? errorMessage(code), ...(retryAfter === undefined ? {} : { retryAfter }) };
  return JSON.stringify({ error });
}

export function errorResponse(code: GatewayErrorCode, options: ErrorOptions = {}): Response {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  const retryAfter = options.retryAfter === undefined ? undefined : Math.max(1, Math.ceil(options.retryAfter));
  if (retryAfter !== undefined) headers.set("retry-after", String(retryAfter));
  if (code === "unauthorized") headers.set("www-authenticate", 'Bearer realm="llm-gateway"');
  return new Response(errorBody(code, options.message, retryAfter), { status: options.status ?? errorStatus(code), headers });
}

/**
 * The gateway's error table: stable snake_case codes → status and public
 * message, answered as `{"error": {"code", "message"}}` (OpenAI-ish). The
 * request id travels in the `x-request-id` header, not the body, so that every
 * auth failure gets a byte-identical 401.
 */

export type GatewayErrorCode =
  | "unauthorized"
  | "invalid_request"
  | "payload_too_large"
  | "model_not_found"
  | "not_found"
  | "concurrency_limited"
  | "daily_tokens_exhausted"
  | "upstream_rejected"
  | "upstream_unavailable"
  | "upstream_timeout"
  | "upstream_interrupted"
  | "limits_unavailable"
  | "internal";

export const ERRORS = {
  unauthorized: { status: 401, message: "Missing or invalid tunnel token." },
  invalid_request: { status: 400, message: "The request body is not a valid chat completion request." },
  payload_too_large: { status: 413, message: "The request body is too large." },
  model_not_found: { status: 404, message: "No pool serves this model." },
  not_found: { status: 404, message: "Not found." },
  concurrency_limited: { status: 429, message: "Too many replies are being generated for this user at once." },
  daily_tokens_exhausted: { status: 429, message: "This user's daily token budget is used up." },
  upstream_rejected: { status: 400, message: "The model server rejected the request." },
  upstream_unavailable: { status: 502, message: "No model server could take the request." },
  upstream_timeout: { status: 504, message: "The model server did not answer in time." },
  upstream_interrupted: { status: 502, message: "The model server stopped in the middle of the reply." },
  limits_unavailable: { status: 503, message: "Usage limits cannot be checked right now." },
  internal: { status: 500, message: "Internal error." },
} as const satisfies Record<GatewayErrorCode, { status: number; message: string }>;

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
  const error = { code, message: message ?? ERRORS[code].message, ...(retryAfter === undefined ? {} : { retryAfter }) };
  return JSON.stringify({ error });
}

export function errorResponse(code: GatewayErrorCode, options: ErrorOptions = {}): Response {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  const retryAfter = options.retryAfter === undefined ? undefined : Math.max(1, Math.ceil(options.retryAfter));
  if (retryAfter !== undefined) headers.set("retry-after", String(retryAfter));
  if (code === "unauthorized") headers.set("www-authenticate", 'Bearer realm="llm-gateway"');
  return new Response(errorBody(code, options.message, retryAfter), { status: options.status ?? ERRORS[code].status, headers });
}

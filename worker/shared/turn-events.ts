/**
 * A turn's server-sent events (wire.ts `TurnEvent`) in both directions: the
 * frame the session object writes, and the typed event a reader (the web
 * client) gets back from a parsed frame, checked field by field. Pure.
 */
import { isErrorCode } from "./error-codes";
import { type SseEvent, sseFrame } from "./sse";
import type { Message, TurnEvent } from "./wire";

/** The SSE frame of one turn event; `id` is `<turn id>.<frame index>`. */
export function turnFrame(id: string, e: TurnEvent): string {
  return sseFrame(JSON.stringify(e.data), e.event, id);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

function isMessage(v: unknown): v is Message {
  return (
    isObject(v) &&
    typeof v.id === "string" &&
    (v.role === "user" || v.role === "assistant") &&
    typeof v.content === "string" &&
    typeof v.status === "string" &&
    typeof v.createdAt === "string"
  );
}

/**
 * The turn event a parsed frame carries; null for an event of another name,
 * malformed JSON or a field of the wrong type. An error code this client does
 * not know (a newer server) reads as `internal`, keeping the server's message.
 */
export function readTurnEvent(ev: SseEvent): TurnEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(ev.data);
  } catch {
    return null;
  }
  if (!isObject(data)) return null;
  switch (ev.event) {
    case "token":
      return typeof data.text === "string" ? { event: "token", data: { text: data.text } } : null;
    case "message":
      return isMessage(data.message) ? { event: "message", data: { message: data.message } } : null;
    case "done":
      if (data.message === undefined) return { event: "done", data: {} };
      return isMessage(data.message) ? { event: "done", data: { message: data.message } } : null;
    case "error": {
      if (typeof data.message !== "string" || (data.partial !== undefined && !isMessage(data.partial))) return null;
      const error: Extract<TurnEvent, { event: "error" }>["data"] = {
        code: isErrorCode(data.code) ? data.code : "internal",
        message: data.message,
      };
      if (data.partial !== undefined) error.partial = data.partial;
      return { event: "error", data: error };
    }
    default:
      return null;
  }
}

/**
 * Server-sent events over fetch (EventSource cannot POST): a pure line parser
 * and a reader that turns a response body into typed turn events.
 */
import type { TurnEvent } from "../../../worker/shared/wire";

export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

export type TurnEventWithId = TurnEvent & { id: string | null };

const TURN_EVENTS = new Set(["message", "token", "done", "error"]);

/** Returns a push function: feed it decoded text, get back the events it completes. */
export function createSseParser(): (chunk: string) => SseEvent[] {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | null = null;
  return (chunk) => {
    buffer += chunk;
    // A trailing "\r" may be the first half of "\r\n": keep it for the next chunk.
    const cut = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
    buffer = (lines.pop() ?? "") + buffer.slice(cut);
    const out: SseEvent[] = [];
    for (const line of lines) {
      if (line === "") {
        if (data.length > 0) out.push({ event: event || "message", data: data.join("\n"), id });
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id" && !value.includes("\0")) id = value;
    }
    return out;
  };
}

/** Parses one SSE event of a turn; unknown events and bad JSON give null. */
export function toTurnEvent(e: SseEvent): TurnEventWithId | null {
  if (!TURN_EVENTS.has(e.event)) return null;
  try {
    return { event: e.event, data: JSON.parse(e.data), id: e.id } as TurnEventWithId;
  } catch {
    return null;
  }
}

/** Yields the turn events of an SSE response body as they arrive. */
export async function* readTurnEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<TurnEventWithId> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const push = createSseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const events = push(done ? `${decoder.decode()}\n\n` : decoder.decode(value, { stream: true }));
      for (const e of events) {
        const turn = toTurnEvent(e);
        if (turn) yield turn;
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * A turn's server-sent events over fetch (EventSource cannot POST), read with
 * the shared parser and checked into typed turn events.
 */
import { createSseParser } from "../../../worker/shared/sse";
import { readTurnEvent } from "../../../worker/shared/turn-events";
import type { TurnEvent } from "../../../worker/shared/wire";

export type TurnEventWithId = TurnEvent & { id: string | null };

/**
 * Yields the turn events of an SSE response body as they arrive; other
 * events and malformed ones are skipped. An event whose closing blank line
 * never came (the body ended right after it) is still delivered.
 */
export async function* readTurnEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<TurnEventWithId> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = createSseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const events = done ? [...parser.push(decoder.decode()), ...parser.flush()] : parser.push(decoder.decode(value, { stream: true }));
      for (const e of events) {
        const turn = readTurnEvent(e);
        if (turn) yield { ...turn, id: e.id ?? null };
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

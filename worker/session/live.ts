/**
 * Live state of the pair's conversations: every change (a message, a reply
 * starting, a rewind or swipe, memories, the list of conversations) is
 * pushed to every open client of the owner, so any tab shows what any other
 * did. Clients connect over hibernatable WebSockets (the object may leave
 * memory while they stay connected; pings are answered without waking it)
 * or over SSE (which keeps the object in memory while open).
 */
import type { LiveEvent } from "../shared/wire";

export const LIVE_PROTOCOL = "chat-live";
/** Headers the worker sets on the upgrade it forwards, from the verified token and the path. */
export const LIVE_USER = "x-live-user";
export const LIVE_CHARACTER = "x-live-character";
const enc = new TextEncoder();

export function createLive(ctx: DurableObjectState) {
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));

  return {
    /** Accepts a WebSocket (the worker checked the caller); it hibernates with the object. */
    accept(): Response {
      const [client, server] = Object.values(new WebSocketPair());
      ctx.acceptWebSocket(server);
      return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": LIVE_PROTOCOL } });
    },
    /** The same events as SSE, for clients without WebSockets. */
    stream(): ReadableStream<Uint8Array> {
      let self: ReadableStreamDefaultController<Uint8Array> | null = null;
      return new ReadableStream<Uint8Array>({
        start(controller) {
          self = controller;
          streams.add(controller);
          controller.enqueue(enc.encode(": live\n\n"));
        },
        cancel() {
          if (self) streams.delete(self);
        },
      });
    },
    broadcast(event: LiveEvent): void {
      const text = JSON.stringify(event);
      for (const ws of ctx.getWebSockets()) {
        try {
          ws.send(text);
        } catch {
          /* closing: the runtime drops it */
        }
      }
      if (streams.size === 0) return;
      const frame = enc.encode(`event: ${event.type}\ndata: ${text}\n\n`);
      for (const c of streams) {
        try {
          c.enqueue(frame);
        } catch {
          streams.delete(c);
        }
      }
    },
    /** The conversation was deleted: every client is told to go. */
    closeAll(): void {
      for (const ws of ctx.getWebSockets()) ws.close(1000, "deleted");
      for (const c of streams) {
        try {
          c.close();
        } catch {
          /* already gone */
        }
      }
      streams.clear();
    },
  };
}

export type Live = ReturnType<typeof createLive>;

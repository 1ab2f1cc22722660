/**
 * The live channel of one character's conversations: a WebSocket to
 * /api/chats/:characterId/live on which the session object pushes every
 * change any tab or device made. It keeps itself open (ping every 25 s,
 * reconnect with backoff, a fresh token after a refused upgrade) and says
 * "resync" after a reconnect, since events sent while it was down are gone.
 */
import type { LiveEvent } from "../../../worker/shared/wire";
import { currentToken, refreshSession } from "./api";

export type LiveSignal = LiveEvent | { type: "resync" };

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 15_000;

/** Opens the channel; the returned function closes it for good. */
export function openLive(characterId: string, onEvent: (e: LiveSignal) => void): () => void {
  let ws: WebSocket | null = null;
  let closed = false;
  let failures = 0;
  let ping: ReturnType<typeof setInterval> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const url = () => {
    const origin = window.location.origin.replace(/^http/, "ws");
    return `${origin}/api/chats/${encodeURIComponent(characterId)}/live`;
  };

  function connect(): void {
    const token = currentToken();
    if (closed || !token) return;
    let opened = false;
    const socket = new WebSocket(url(), ["chat-live", `bearer.${token}`]);
    ws = socket;
    socket.onopen = () => {
      opened = true;
      if (failures > 0) onEvent({ type: "resync" });
      failures = 0;
      ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send("ping"), PING_MS);
    };
    socket.onmessage = (m) => {
      if (typeof m.data !== "string" || m.data === "pong") return;
      try {
        onEvent(JSON.parse(m.data) as LiveEvent);
      } catch {
        /* not an event of ours */
      }
    };
    socket.onclose = () => {
      clearInterval(ping);
      if (closed) return;
      failures++;
      const wait = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 5));
      retry = setTimeout(async () => {
        // An upgrade refused before opening is most likely an expired token.
        if (!opened) await refreshSession();
        connect();
      }, wait);
    };
  }

  connect();
  return () => {
    closed = true;
    clearTimeout(retry);
    clearInterval(ping);
    ws?.close();
  };
}

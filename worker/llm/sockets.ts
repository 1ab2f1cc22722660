/**
 * A session object's connections to the LLM for the socket transport
 * (http1.ts): a connection whose answer was read to its end is kept open,
 * and the next call to the same origin takes it instead of connecting (and,
 * over TLS, shaking hands) again. One kept per origin, closed after a while
 * unused. Owned by one object, like its PostgreSQL connection.
 */

/** workerd's `connect` from `cloudflare:sockets`. */
export type Connect = (address: { hostname: string; port: number }, options: SocketOptions) => Socket;

/** How much one read of a connection can bring (a reader that fell behind catches up in one read). */
const READ_BYTES = 16 * 1024;

/** One connection, with the reader and writer that stay on it from one request to the next. */
export interface Conn {
  socket: Socket;
  reader: ReadableStreamBYOBReader;
  /** What every read fills and gives back, so a stream of small frames does not allocate a buffer per frame. */
  buffer: ArrayBuffer;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** It served an answer before (so a failure before any byte may just mean the server closed it while idle). */
  reused: boolean;
}

export interface UpstreamSockets {
  /** False for a while after a socket to `url`'s origin could not be had: calls go through fetch() meanwhile. */
  usable(url: URL): boolean;
  /** A socket to `url`'s origin failed before an answer: use fetch() for it for a while instead of failing again on every call. */
  refuse(url: URL): void;
  /** A kept connection to `url`'s origin, or a new one. */
  take(url: URL): Conn;
  /** A connection whose answer was read to its end: kept for the next call to `url`'s origin. */
  keep(url: URL, conn: Conn): void;
}

/** How long a kept connection waits for its next call: under the 5 s after which Node (the gateway) and uvicorn close an idle one. */
const IDLE_MS = 4_000;
/** How long an origin that refused a socket is reached with fetch() instead (a platform that blocks the address; an upstream that is down fails either way). */
const REFUSED_MS = 10 * 60_000;

/**
 * The next bytes of `conn`, read into its one buffer: valid until the next
 * read. (workerd's default reader allocates 4 KB for every read, however
 * little it brings: at 100 streams that is 20 MB a second of buffers, and
 * V8 stops the whole isolate to collect them every second or so.)
 */
export async function readConn(conn: Conn): Promise<Uint8Array | null> {
  const r = await conn.reader.read(new Uint8Array(conn.buffer));
  if (r.value) conn.buffer = r.value.buffer;
  return r.done ? null : r.value;
}

export function createUpstreamSockets(connect: Connect): UpstreamSockets {
  const kept = new Map<string, { conn: Conn; timer: ReturnType<typeof setTimeout> }>();
  /** Origins that refused a socket, and until when fetch() goes there instead. */
  const refused = new Map<string, number>();
  const close = (conn: Conn) => void conn.socket.close().catch(() => undefined);
  return {
    usable(url) {
      return (refused.get(url.origin) ?? 0) <= Date.now();
    },
    refuse(url) {
      refused.set(url.origin, Date.now() + REFUSED_MS);
    },
    take(url) {
      const idle = kept.get(url.origin);
      if (idle) {
        kept.delete(url.origin);
        clearTimeout(idle.timer);
        return { ...idle.conn, reused: true };
      }
      const tls = url.protocol === "https:";
      const socket = connect(
        { hostname: url.hostname, port: Number(url.port) || (tls ? 443 : 80) },
        { secureTransport: tls ? "on" : "off", allowHalfOpen: false },
      );
      return {
        socket,
        reader: socket.readable.getReader({ mode: "byob" }),
        buffer: new ArrayBuffer(READ_BYTES),
        writer: socket.writable.getWriter(),
        reused: false,
      };
    },
    keep(url, conn) {
      const before = kept.get(url.origin);
      if (before) {
        clearTimeout(before.timer);
        close(before.conn);
      }
      const timer = setTimeout(() => {
        if (kept.get(url.origin)?.conn === conn) kept.delete(url.origin);
        close(conn);
      }, IDLE_MS);
      kept.set(url.origin, { conn, timer });
    },
  };
}

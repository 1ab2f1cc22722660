/**
 * A POST over a raw socket (workerd's `connect()`), HTTP/1.1 with the
 * connection kept for the next call (sockets.ts): how the session object
 * reads the LLM's stream. workerd's fetch() hands JavaScript one HTTP chunk
 * per read(); a socket read brings every byte that has arrived, and costs
 * less: a relay in a Durable Object spent 116 µs per frame through fetch()
 * and 78 µs through a socket at 100 concurrent streams
 * (bench/concurrency.ts), and a reader that fell behind catches up in one
 * read.
 */
import { createChunkedDecoder } from "./chunked";
import { type Conn, readConn, type UpstreamSockets } from "./sockets";

/** An upstream answer: its head, then its body a read at a time. */
export interface Upstream {
  status: number;
  headers: Headers;
  /** The next bytes of the body (everything that arrived, de-chunked), valid until the next read; null at its end. */
  read(): Promise<Uint8Array | null>;
  /** The rest of the body as text. */
  text(): Promise<string>;
  /** Done with it after the stream's end: the connection is closed (fetch: read to its end to the side, to be reused). */
  release(): void;
  /** Done with it before its end: the connection is closed. */
  cancel(): void;
}

/** A head larger than this is refused. */
const MAX_HEAD = 64 * 1024;

/** The status and headers in `bytes`, and where the body starts; null while the head is incomplete. */
export function parseHead(bytes: Uint8Array): { status: number; headers: Headers; bodyAt: number } | null {
  let end = -1;
  for (let i = 3; i < bytes.length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) {
      end = i + 1;
      break;
    }
  }
  if (end < 0) return null;
  let text = "";
  for (let i = 0; i < end - 4; i++) text += String.fromCharCode(bytes[i]);
  const [statusLine, ...lines] = text.split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  if (!status) throw new Error("upstream answered something other than HTTP/1.x");
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status: Number(status), headers, bodyAt: end };
}

/** Everything `read` still gives, as text. */
export async function readText(read: () => Promise<Uint8Array | null>): Promise<string> {
  const utf8 = new TextDecoder();
  let out = "";
  for (let bytes = await read(); bytes; bytes = await read()) out += utf8.decode(bytes, { stream: true });
  return out + utf8.decode();
}

/** Reads to the end to the side, so the connection can be kept (or reused by fetch). */
export function drain(read: () => Promise<Uint8Array | null>, failed: () => void): void {
  void (async () => {
    while ((await read()) !== null);
  })().catch(failed);
}

/** The parts as one array: the part itself when there is one, else a copy of them all. */
function join(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A kept connection the server closed while it was idle: nothing was answered, so the request can go again. */
class StaleConnection extends Error {}

/**
 * POSTs `body` to `url` on a kept connection to its origin, or a new one,
 * and resolves once the answer's head is in. A kept connection that turns
 * out closed is replaced once.
 */
export async function postOverSocket(
  sockets: UpstreamSockets,
  url: URL,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Upstream> {
  signal.throwIfAborted();
  const encoder = new TextEncoder();
  const payload = encoder.encode(body);
  let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-length: ${payload.length}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name + value)) throw new Error(`header ${name} holds a line break`);
    head += `${name}: ${value}\r\n`;
  }
  const request = join([encoder.encode(`${head}\r\n`), payload]);
  for (;;) {
    const conn = sockets.take(url);
    try {
      return await exchange(sockets, url, conn, request, signal);
    } catch (err) {
      if (!(err instanceof StaleConnection) || signal.aborted) throw err;
    }
  }
}

async function exchange(sockets: UpstreamSockets, url: URL, conn: Conn, request: Uint8Array, signal: AbortSignal): Promise<Upstream> {
  const close = () => {
    signal.removeEventListener("abort", close);
    conn.socket.close().catch(() => undefined);
  };
  signal.addEventListener("abort", close);
  let answer: NonNullable<ReturnType<typeof parseHead>>;
  let buffered: Uint8Array = new Uint8Array(0);
  /** On a kept connection, a failure before any byte of an answer means the server closed it while idle. */
  const stale: (err: unknown) => never = (err) => {
    if (conn.reused && buffered.length === 0) throw new StaleConnection("the kept connection was closed", { cause: err });
    throw err;
  };
  try {
    await conn.writer.write(request).catch(stale);
    for (;;) {
      const bytes = await readConn(conn).catch(stale);
      if (bytes === null) stale(new Error("the upstream closed the connection without answering"));
      // A copy: the connection's buffer is filled again by the next read.
      buffered = buffered.length === 0 ? bytes.slice() : join([buffered, bytes]);
      const parsed = parseHead(buffered);
      if (!parsed) {
        if (buffered.length > MAX_HEAD) throw new Error("the upstream's answer head is too large");
        continue;
      }
      buffered = buffered.subarray(parsed.bodyAt);
      // 1xx answers (100 Continue) come before the real one.
      if (parsed.status >= 200) {
        answer = parsed;
        break;
      }
    }
  } catch (err) {
    close();
    throw err;
  }
  // No body after 204 and 304; else chunked, or as long as content-length says, or up to the connection's end.
  const empty = answer.status === 204 || answer.status === 304;
  const chunked = !empty && /chunked/i.test(answer.headers.get("transfer-encoding") ?? "");
  const decoder = chunked ? createChunkedDecoder() : null;
  const length = answer.headers.get("content-length");
  let left = empty ? 0 : !chunked && length !== null ? Number(length) : Number.POSITIVE_INFINITY;
  // Kept only when the answer's end is known from its framing and the server did not say it closes.
  const reusable = (Number.isFinite(left) || chunked) && !/close/i.test(answer.headers.get("connection") ?? "");
  let ended = false;
  /** The answer was read to its end: the connection goes back for the next call, or is closed. */
  const finish = () => {
    ended = true;
    signal.removeEventListener("abort", close);
    if (reusable && buffered.length === 0) sockets.keep(url, conn);
    else close();
  };
  async function read(): Promise<Uint8Array | null> {
    for (;;) {
      if (ended) return null;
      if (left === 0) {
        finish();
        return null;
      }
      let input: Uint8Array;
      if (buffered.length > 0) {
        input = buffered;
        buffered = new Uint8Array(0);
      } else {
        const bytes = await readConn(conn);
        if (bytes === null) {
          ended = true;
          close();
          if (decoder || Number.isFinite(left)) throw new Error("the upstream's answer broke off");
          return null;
        }
        input = bytes;
      }
      if (decoder) {
        const parts = decoder.push(input);
        const out = parts.length === 0 ? new Uint8Array(0) : join(parts);
        if (decoder.done) finish();
        if (out.length > 0) return out;
        continue;
      }
      const n = Math.min(left, input.length);
      left -= n;
      return n === input.length ? input : input.subarray(0, n);
    }
  }
  const cancel = () => {
    if (ended) return;
    ended = true;
    close();
  };
  return {
    status: answer.status,
    headers: answer.headers,
    read,
    async text() {
      try {
        return await readText(read);
      } catch (err) {
        cancel();
        throw err;
      }
    },
    release: () => drain(read, cancel),
    cancel,
  };
}

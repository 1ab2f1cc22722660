/**
 * One PGlite behind any number of Postgres wire-protocol connections, safely.
 *
 * PGlite is a single session. Serving several connections from it is safe
 * only if no connection's work can interleave with another's, so:
 * - a connection takes the one session for a whole unit of work: from its
 *   first message until a Sync or simple Query leaves the session idle (a
 *   Flush in the middle of an extended-protocol exchange, or an open
 *   transaction, keeps it), and every other connection waits in a queue;
 * - prepared statement and portal names are prefixed per connection, so two
 *   connections' "s1" never meet, and are closed when the connection goes;
 * - a connection that goes away mid-transaction is rolled back, and one that
 *   holds the session idle for too long is rolled back and disconnected so
 *   it cannot stall the rest.
 * Startup is answered here (trust, no TLS).
 */
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { CANCEL_REQUEST, GSS_REQUEST, message, SSL_REQUEST } from "./pg-wire";

/** How long a connection may hold the session without sending anything. */
const HOLD_LIMIT_MS = 15_000;

/** A FIFO mutex over the one session. */
function createSessionLock() {
  let owner: number | null = null;
  const waiting: { id: number; grant: () => void }[] = [];
  return {
    owner: () => owner,
    async acquire(id: number): Promise<void> {
      if (owner === id) return;
      if (owner === null) {
        owner = id;
        return;
      }
      await new Promise<void>((grant) => waiting.push({ id, grant }));
    },
    release(id: number): void {
      if (owner !== id) return;
      const next = waiting.shift();
      owner = next ? next.id : null;
      next?.grant();
    },
  };
}

const cstr = (s: string) => Buffer.from(`${s}\0`, "utf8");
const param = (k: string, v: string) => message("S", Buffer.concat([cstr(k), cstr(v)]));

function startupReply(id: number): Buffer {
  const key = Buffer.alloc(8);
  key.writeInt32BE(id, 0);
  key.writeInt32BE(0, 4);
  return Buffer.concat([
    message("R", Buffer.from([0, 0, 0, 0])),
    param("server_version", "17.0"),
    param("server_encoding", "UTF8"),
    param("client_encoding", "UTF8"),
    param("DateStyle", "ISO, MDY"),
    param("integer_datetimes", "on"),
    param("standard_conforming_strings", "on"),
    message("K", key),
    message("Z", Buffer.from("I")),
  ]);
}

/** Reads a NUL-terminated string at `at`: [value, offset after it]. */
function readCstr(b: Buffer, at: number): [string, number] {
  const end = b.indexOf(0, at);
  return [b.toString("utf8", at, end), end + 1];
}

/**
 * Prefixes the statement and portal names a message carries, so each
 * connection has its own namespace on the shared session. Returns the
 * message (rewritten when needed) and the statement name it creates, if any.
 */
export function namespaced(type: string, body: Buffer, prefix: string): { body: Buffer; created?: string } {
  const p = (name: string) => (name ? prefix + name : name);
  if (type === "P") {
    const [name, at] = readCstr(body, 0);
    return { body: Buffer.concat([cstr(p(name)), body.subarray(at)]), created: name ? p(name) : undefined };
  }
  if (type === "B") {
    const [portal, a1] = readCstr(body, 0);
    const [stmt, a2] = readCstr(body, a1);
    return { body: Buffer.concat([cstr(p(portal)), cstr(p(stmt)), body.subarray(a2)]) };
  }
  if (type === "D" || type === "C") {
    const [name, at] = readCstr(body, 1);
    return { body: Buffer.concat([body.subarray(0, 1), cstr(p(name)), body.subarray(at)]) };
  }
  if (type === "E") {
    const [portal, at] = readCstr(body, 0);
    return { body: Buffer.concat([cstr(p(portal)), body.subarray(at)]) };
  }
  return { body };
}

/** The transaction status of the last ReadyForQuery in a backend response ("I", "T", "E"), or null. */
export function lastReadyStatus(res: Uint8Array): string | null {
  let status: string | null = null;
  for (let at = 0; at + 5 <= res.length; ) {
    const len = (res[at + 1] << 24) | (res[at + 2] << 16) | (res[at + 3] << 8) | res[at + 4];
    if (res[at] === 0x5a && len === 5) status = String.fromCharCode(res[at + 5]);
    at += 1 + len;
  }
  return status;
}

export function serveWire(db: PGlite, port: number, host: string): Promise<Server> {
  const lock = createSessionLock();
  let nextId = 1;

  /** Runs `bytes` on the session for connection `id`; the caller holds the lock. */
  const run = (bytes: Uint8Array) => db.execProtocolRaw(bytes);

  function handle(socket: Socket): void {
    const id = nextId++;
    const prefix = `c${id}_`;
    const created = new Set<string>();
    let buffer: Buffer = Buffer.alloc(0);
    let started = false;
    let pending: Buffer[] = [];
    let chain = Promise.resolve();
    let holdTimer: NodeJS.Timeout | undefined;
    let closed = false;

    const stopHoldTimer = () => clearTimeout(holdTimer);
    const startHoldTimer = () => {
      stopHoldTimer();
      holdTimer = setTimeout(() => socket.destroy(), HOLD_LIMIT_MS);
    };

    /** Executes the messages gathered so far as one step of this connection's unit of work. */
    async function step(ends: "sync" | "flush"): Promise<void> {
      const batch = Buffer.concat(pending);
      pending = [];
      await lock.acquire(id);
      stopHoldTimer();
      if (closed) return; // still holding the session: the cleanup queued on close releases it
      let status: string | null = null;
      try {
        const res = await run(batch);
        status = lastReadyStatus(res);
        socket.write(res);
      } catch {
        socket.destroy();
        return;
      }
      // The session stays this connection's until a Sync leaves it idle.
      if (ends === "sync" && status === "I") lock.release(id);
      else startHoldTimer();
    }

    function onMessage(type: string, body: Buffer): void {
      if (type === "X") {
        socket.end();
        return;
      }
      const m = namespaced(type, body, prefix);
      if (m.created) created.add(m.created);
      pending.push(message(type, m.body));
      if (type === "S" || type === "Q" || type === "H") {
        const ends = type === "H" ? "flush" : "sync";
        chain = chain.then(() => step(ends));
      }
    }

    function onStartup(packet: Buffer): boolean {
      const code = packet.readInt32BE(4);
      if (code === SSL_REQUEST || code === GSS_REQUEST) {
        socket.write("N");
        return false;
      }
      if (code === CANCEL_REQUEST) {
        socket.end();
        return false;
      }
      socket.write(startupReply(id));
      return true;
    }

    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const len = buffer.readInt32BE(0);
          if (buffer.length < len) return;
          started = onStartup(buffer.subarray(0, len));
          buffer = buffer.subarray(len);
          continue;
        }
        if (buffer.length < 5) return;
        const len = buffer.readInt32BE(1);
        if (buffer.length < 1 + len) return;
        onMessage(String.fromCharCode(buffer[0]), buffer.subarray(5, 1 + len));
        buffer = buffer.subarray(1 + len);
      }
    });

    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
      stopHoldTimer();
      // Clean up after the connection on the shared session, in turn with everyone else.
      chain = chain.then(async () => {
        await lock.acquire(id);
        try {
          if (db.isInTransaction()) await db.exec("ROLLBACK");
          if (created.size)
            await run(
              Buffer.concat([
                ...[...created].map((n) => message("C", Buffer.concat([Buffer.from("S"), cstr(n)]))),
                message("S", Buffer.alloc(0)),
              ]),
            );
        } catch {
          /* the session is reset by the next ROLLBACK at worst */
        } finally {
          lock.release(id);
        }
      });
    });
  }

  const server = createServer(handle);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Hyperdrive's part, locally: a PostgreSQL wire proxy that keeps the
 * server's backends when their clients go. A session object opens a
 * connection when it wakes; through this pool it gets a backend that has
 * already started and read the catalog, as a pooled Hyperdrive connection
 * is in production, instead of PostgreSQL starting a process for it.
 *
 * Session pooling: a client has one backend for as long as it is connected.
 * When it goes, a backend it left idle (no transaction open, nothing in
 * flight) is reset with DISCARD ALL and kept for the next client with the
 * same user, database and options; any other backend is closed. Only
 * backends the server let in without a password are kept (trust, as on a
 * development machine): a kept backend skips authentication, so one that
 * asked for a password is passed through and closed as usual.
 */
import { connect, createServer, type Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { CANCEL_REQUEST, GSS_REQUEST, message, SSL_REQUEST, wireScanner } from "./pg-wire";

const ERROR = 0x45; // "E"
const AUTH = 0x52; // "R"
const QUERY = 0x51; // "Q"
const SYNC = 0x53; // "S"
const TERMINATE = 0x58; // "X"

export interface PoolOptions {
  /** Idle backends kept per user, database and options. */
  maxIdle?: number;
  /** How long an idle backend is kept. */
  idleMs?: number;
}

export interface PgPool {
  /** `target` with this pool's address in place of the server's. */
  url: string;
  /** Backends started, and clients served by a kept one (for tests and the log). */
  stats(): { started: number; reused: number };
  close(): Promise<void>;
}

const DISCARD_ALL = message("Q", Buffer.from("DISCARD ALL\0"));
/** What a client is told when the server cannot be reached (SQLSTATE 08001), as Hyperdrive tells it. */
const unreachable = (err: Error & { code?: string }) =>
  message("E", Buffer.from(`SFATAL\0VFATAL\0C08001\0Mcould not connect to the database server (${err.code ?? err.message})\0\0`));

interface Backend {
  socket: Socket;
  /** What the server said from AuthenticationOk to its first ReadyForQuery: said again to each new client. */
  greeting: Buffer;
  onData: (chunk: Buffer) => void;
  onGone: () => void;
  onError: (err: Error) => void;
}

export async function startPgPool(target: string, o: PoolOptions = {}): Promise<PgPool> {
  const upstream = new URL(target);
  const [host, port] = [upstream.hostname, Number(upstream.port || 5432)];
  const maxIdle = o.maxIdle ?? 16;
  const idleMs = o.idleMs ?? 10_000;
  const idle = new Map<string, { backend: Backend; timer: NodeJS.Timeout }[]>();
  const open = new Set<Socket>();
  const counts = { started: 0, reused: 0 };

  const track = (s: Socket) => {
    open.add(s);
    s.on("close", () => open.delete(s));
    s.on("error", () => s.destroy());
    s.setNoDelay(true);
    return s;
  };

  function newBackend(): Backend {
    const socket = track(connect(port, host));
    const b: Backend = { socket, greeting: Buffer.alloc(0), onData: () => {}, onGone: () => {}, onError: () => {} };
    socket.on("data", (chunk) => b.onData(chunk));
    socket.on("close", () => b.onGone());
    socket.on("error", (err) => b.onError(err));
    counts.started++;
    return b;
  }

  function takeIdle(key: string): Backend | null {
    const list = idle.get(key) ?? [];
    for (let kept = list.pop(); kept; kept = list.pop()) {
      clearTimeout(kept.timer);
      if (!kept.backend.socket.destroyed) return kept.backend;
    }
    return null;
  }

  function keep(key: string, b: Backend): void {
    const list = idle.get(key) ?? idle.set(key, []).get(key)!;
    if (list.length >= maxIdle) return void b.socket.destroy();
    const entry = { backend: b, timer: setTimeout(() => b.socket.destroy(), idleMs) };
    list.push(entry);
    b.onData = () => b.socket.destroy(); // an idle backend says nothing unless it is going
    b.onGone = () => {
      clearTimeout(entry.timer);
      const at = list.indexOf(entry);
      if (at >= 0) list.splice(at, 1);
    };
  }

  /** Resets a backend its client left idle and keeps it; destroys it if the reset fails. */
  function release(key: string, b: Backend): void {
    let status = 0;
    const scan = wireScanner(
      (type) => type !== ERROR,
      (s) => (status = s),
    );
    b.onGone = () => {};
    b.onData = (chunk) => {
      if (scan(chunk) >= 0) return void b.socket.destroy();
      if (status === 0x49) keep(key, b);
      else if (status !== 0) b.socket.destroy();
    };
    b.socket.write(DISCARD_ALL);
  }

  /** Client and backend joined: bytes pass as they are, watched for the moment the backend is left idle. */
  function join(client: Socket, b: Backend, key: string, greeted: boolean, pending: Buffer): void {
    let status = greeted ? 0x49 : 0;
    let syncsOut = 0;
    let unsynced = false;
    let poolable = greeted;
    let greeting: Buffer[] | null = greeted ? null : [];
    let done = false;
    const fromServer = wireScanner(
      () => true,
      (s) => {
        status = s;
        if (!greeting) syncsOut = Math.max(0, syncsOut - 1);
      },
    );
    const fromClient = wireScanner((type) => {
      if (type === TERMINATE) return false;
      if (type === QUERY || type === SYNC) {
        syncsOut++;
        unsynced = false;
      } else unsynced = true;
      return true;
    });
    b.onData = (chunk) => {
      if (greeting) {
        // Trust lets a client in at once: the first message is AuthenticationOk (R, code 0).
        if (greeting.length === 0) poolable = chunk[0] === AUTH && chunk.length >= 9 && chunk.readInt32BE(5) === 0;
        greeting.push(chunk);
      }
      fromServer(chunk);
      if (greeting && status !== 0) {
        b.greeting = Buffer.concat(greeting);
        greeting = null;
      }
      client.write(chunk);
    };
    let refused = false;
    b.onGone = () => refused || client.destroy();
    b.onError = (err) => {
      // The server was never reached: the client hears why, as an error it can act on, not a silent close.
      if (!greeting || greeting.length > 0) return;
      refused = true;
      client.end(unreachable(err));
    };
    const leave = () => {
      if (done) return;
      done = true;
      client.destroy();
      if (poolable && !greeting && status === 0x49 && syncsOut === 0 && !unsynced && !b.socket.destroyed) release(key, b);
      else b.socket.destroy();
    };
    const send = (chunk: Buffer) => {
      const stop = fromClient(chunk);
      if (stop < 0) return void b.socket.write(chunk);
      if (stop > 0) b.socket.write(chunk.subarray(0, stop));
      leave();
    };
    client.on("data", send);
    client.on("close", leave);
    if (pending.length > 0) send(pending);
  }

  function handle(client: Socket): void {
    track(client);
    let buffer: Buffer = Buffer.alloc(0);
    const onStartup = (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      while (buffer.length >= 8 && buffer.length >= buffer.readInt32BE(0)) {
        const length = buffer.readInt32BE(0);
        const packet = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        const code = packet.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSS_REQUEST) {
          client.write("N");
          continue;
        }
        client.off("data", onStartup);
        if (code === CANCEL_REQUEST) {
          // The key the client holds is the real backend's: the server itself finds it.
          track(connect(port, host)).end(packet);
          client.end();
          return;
        }
        const key = packet.toString("latin1");
        const kept = takeIdle(key);
        if (kept) {
          counts.reused++;
          client.write(kept.greeting);
          join(client, kept, key, true, buffer);
        } else {
          const b = newBackend();
          b.socket.write(packet);
          join(client, b, key, false, buffer);
        }
        return;
      }
    };
    client.on("data", onStartup);
  }

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    stats: () => ({ ...counts }),
    async close() {
      for (const list of idle.values()) for (const { timer } of list) clearTimeout(timer);
      idle.clear();
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// `node --import tsx dev/pg-pool.ts <url>`: the pool in a process of its own (the benchmarks run it so).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const pool = await startPgPool(process.argv[2] ?? "postgres://postgres@127.0.0.1:5432/postgres");
  console.log(`PostgreSQL pool listening on ${pool.url}`);
  const stop = (): void => void pool.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

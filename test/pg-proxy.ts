/**
 * A TCP proxy in front of the test PostgreSQL that a test can take down and
 * bring back: an outage as the worker sees it, without stopping the server
 * other tests use.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export async function startPgProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  async function up(): Promise<void> {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    port = (server!.address() as { port: number }).port;
  }
  async function down(): Promise<void> {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
  }
  await up();
  const url = new URL(target);
  url.port = String(port);
  url.hostname = "127.0.0.1";
  return { url: url.toString(), up, down };
}

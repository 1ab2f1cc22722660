/**
 * The embedded PostgreSQL of `npm start` when DATABASE_URL is unset: PGlite
 * served over the Postgres wire protocol, its data under .data/ so it
 * survives restarts.
 */

import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export async function startEmbeddedPostgres(dataDir: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  // One connection per session object and request: allow many (queries still run one at a time).
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 100 });
  await server.start();
  const conn = server.getServerConn();
  return {
    url: `postgres://postgres@${conn}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

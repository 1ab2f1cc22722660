/**
 * The embedded PostgreSQL of `npm start` when DATABASE_URL is unset: PGlite
 * served over the Postgres wire protocol, its data under .data/ so it
 * survives restarts. PGlite is one session; dev/pglite-wire.ts lets any
 * number of connections share it without their work interleaving.
 */

import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { serveWire } from "./pglite-wire";

export async function startEmbeddedPostgres(dataDir: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = await serveWire(db, port, "127.0.0.1");
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${bound}/postgres`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Clients still connected (session objects) are cut; their transactions roll back with the session.
        setTimeout(resolve, 1000).unref();
      });
      await db.close();
    },
  };
}

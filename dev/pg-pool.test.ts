import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type PgPool, startPgPool } from "./pg-pool";

let pool: PgPool;
beforeAll(async () => {
  pool = await startPgPool(inject("databaseUrl"));
});
afterAll(() => pool.close());

/** One client connection (as a session object holds), closed when `fn` ends. */
async function withClient<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(pool.url, { max: 1, prepare: true, fetch_types: false, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}
const backendPid = (sql: postgres.Sql) => sql`select pg_backend_pid() as pid`.then(([r]) => Number(r.pid));
/** The pool keeps a backend once its reset is answered, just after the client goes. */
const settled = () => new Promise((r) => setTimeout(r, 50));

describe("the local connection pool (Hyperdrive's part)", () => {
  it("gives the next client the backend the last one left, with nothing of its session", async () => {
    const first = await withClient(async (sql) => {
      await sql`set application_name = 'first client'`;
      await sql`create temporary table scratch (x int)`;
      await sql`select ${1}::int as x`; // a prepared statement of its own
      return backendPid(sql);
    });
    await settled();
    const before = pool.stats().reused;
    const second = await withClient(async (sql) => {
      const [{ name }] = await sql`select current_setting('application_name') as name`;
      const [{ n }] = await sql`select count(*)::int as n from pg_prepared_statements where statement like '%::int as x'`;
      const [{ temp }] = await sql`select to_regclass('pg_temp.scratch') is not null as temp`;
      await sql`select ${2}::int as x`; // the same statement name as the first client's, prepared again
      return { pid: await backendPid(sql), name, n, temp };
    });
    expect(second.pid).toBe(first);
    expect(pool.stats().reused).toBe(before + 1);
    expect(second.name).not.toBe("first client");
    expect(second.temp).toBe(false);
    expect(second.n).toBe(0); // the first client's statement went with it
  });

  it("closes a backend left in a transaction, and its work is rolled back", async () => {
    const sql = postgres(pool.url, { max: 1, fetch_types: false, onnotice: () => {} });
    const left = await backendPid(sql);
    await sql`create table if not exists pool_probe (x int)`;
    // A transaction the client walks away from: the socket closes with it open.
    await sql.unsafe("begin; insert into pool_probe values (42)");
    await sql.end({ timeout: 0 });
    await settled();
    const after = await withClient(async (c) => ({
      pid: await backendPid(c),
      rows: await c`select count(*)::int as n from pool_probe where x = 42`.then(([r]) => r.n),
    }));
    expect(after.pid).not.toBe(left);
    expect(after.rows).toBe(0);
  });

  it("gives clients connected at once a backend each", async () => {
    const clients = Array.from({ length: 4 }, () => postgres(pool.url, { max: 1, fetch_types: false, onnotice: () => {} }));
    try {
      // Each holds its backend while the others ask.
      const pids = await Promise.all(
        clients.map((sql) => sql.begin(async (tx) => (await tx`select pg_backend_pid() as pid, pg_sleep(0.05)`)[0].pid)),
      );
      expect(new Set(pids).size).toBe(4);
    } finally {
      await Promise.all(clients.map((sql) => sql.end()));
    }
  });

  it("passes the server's refusal on to the client", async () => {
    const url = new URL(pool.url);
    url.pathname = "/no_such_database_here";
    const sql = postgres(url.toString(), { max: 1, fetch_types: false, onnotice: () => {} });
    await expect(sql`select 1`).rejects.toMatchObject({ code: "3D000" });
    await sql.end();
  });

  it("tells a client the server cannot be reached, rather than closing on it silently", async () => {
    const nowhere = await startPgPool("postgres://postgres@127.0.0.1:9/nowhere");
    const sql = postgres(nowhere.url, { max: 1, fetch_types: false, onnotice: () => {} });
    try {
      await expect(sql`select 1`).rejects.toMatchObject({ code: "08001", message: expect.stringContaining("ECONNREFUSED") });
    } finally {
      await sql.end({ timeout: 0 });
      await nowhere.close();
    }
  });

  it("forwards a cancel to the backend running the query", async () => {
    await withClient(async (sql) => {
      const query = sql`select pg_sleep(5)`;
      const started = query.execute();
      await new Promise((r) => setTimeout(r, 100));
      query.cancel();
      await expect(started).rejects.toMatchObject({ code: "57014" });
    });
  });
});

/**
 * The service under test and what it needs: a fresh PostgreSQL database
 * (created, migrated, dropped with force at the end), the worker built and
 * run in workerd through miniflare, and a small API client for the setup
 * calls (register, create a character), which are not timed.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { buildWorker, WORKER_BUNDLE } from "../dev/build";
import { migrateDatabase } from "../dev/migrate";
import { type Stack, startStack } from "../dev/stack";
import { send } from "./http-client";
import { spawnPgPool } from "./processes";

export interface BenchDatabase {
  url: string;
  name: string;
  sql: postgres.Sql;
  drop(): Promise<void>;
}

/** Creates and migrates `chat_bench_<time>_<rand>` next to the admin database. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `chat_bench_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    url: url.toString(),
    name,
    sql,
    drop: async () => {
      await sql.end({ timeout: 1 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 1 });
    },
  };
}

/** Builds the worker and runs it in workerd against the bench database. */
export async function startService(opts: {
  databaseUrl: string;
  redisUrl: string;
  llmBaseUrl: string;
  env?: Record<string, string>;
  /** Another worker bundle to run (a baseline built elsewhere) instead of this tree's. */
  scriptPath?: string;
}): Promise<Stack> {
  await buildWorker();
  const pool = await benchPool(opts.databaseUrl);
  const stack = await startStack({
    ...opts,
    databaseUrl: pool.url,
    poolDatabase: false,
    env: { AUTH_SECRET: randomBytes(32).toString("base64url"), DEV_LLM: "1", LLM_MODEL: "development", ...opts.env },
  }).catch(async (err) => {
    await pool.close();
    throw err;
  });
  return {
    ...stack,
    async close() {
      await stack.close();
      await pool.close();
    },
  };
}

/**
 * How a benchmark's service reaches PostgreSQL: through the local pool in a
 * process of its own, as Hyperdrive is not in the client's (its relaying
 * never delays the client measuring); with PG_POOL=0, straight.
 */
export async function benchPool(databaseUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  return process.env.PG_POOL === "0" ? { url: databaseUrl, close: async () => {} } : spawnPgPool(databaseUrl);
}

/** Which worker was measured: the commit, the worker files changed since, and the bundle's hash. */
export function workerProvenance(): { commit: string; uncommitted: string[]; bundleSha256: string } {
  const git = (...args: string[]) => {
    try {
      return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return "";
    }
  };
  return {
    commit: git("rev-parse", "--short", "HEAD") || "unknown",
    uncommitted: git("status", "--porcelain", "--", "worker").split("\n").filter(Boolean),
    bundleSha256: createHash("sha256").update(readFileSync(WORKER_BUNDLE)).digest("hex").slice(0, 16),
  };
}

export interface BenchUser {
  token: string;
  userId: string;
}

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await send("POST", url, {
    headers: { "content-type": "application/json", accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as T;
}

export async function registerUser(base: string): Promise<BenchUser> {
  const name = `bench_${randomBytes(5).toString("hex")}`;
  const body = await postJson<{ accessToken: string; user: { id: string } }>(`${base}/api/auth/register`, {
    username: name,
    email: `${name}@example.test`,
    password: "correct horse battery staple",
  });
  return { token: body.accessToken, userId: body.user.id };
}

/** A private character of `user`; each one makes a fresh (user, character) pair. */
export async function createCharacter(base: string, user: BenchUser, label: string): Promise<string> {
  const body = await postJson<{ character: { id: string } }>(
    `${base}/api/characters`,
    {
      name: `Bench ${label}`,
      description: "A patient storyteller who lives by the sea and remembers every conversation.",
      greeting: "Hello, traveller. Sit down and tell me what brings you here.",
      visibility: "private",
    },
    user.token,
  );
  return body.character.id;
}

/**
 * Runs the worker bundle in workerd through miniflare, with its session
 * objects and the web app's static files, and in front of PostgreSQL the
 * pool that stands in for Hyperdrive (`pg-pool.ts`): the one way the
 * service runs locally, in `npm start`, the tests and the benchmark.
 */
import { existsSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { WORKER_BUNDLE } from "./build";
import { startPgPool } from "./pg-pool";

export interface StackOptions {
  port?: number;
  host?: string;
  databaseUrl: string;
  /**
   * Whether the objects reach PostgreSQL through a pool that keeps its
   * backends (`pg-pool.ts`, Hyperdrive's part locally). Default on, unless
   * PG_POOL=0; off for a server that is one session (embedded PGlite).
   */
  poolDatabase?: boolean;
  redisUrl?: string;
  llmBaseUrl?: string;
  /** Any other worker variables (AUTH_SECRET, LLM_*, TUNNEL_*, …). */
  env?: Record<string, string>;
  /** Folder for session-object storage; unset → in memory, gone on close. */
  persistDir?: string;
  /** Folder for the AVATARS bucket (miniflare's R2); unset → in memory, gone on close. */
  objectsDir?: string;
  /** Another worker bundle (default: the one dev/build.ts writes). */
  scriptPath?: string;
  /** Opens workerd's DevTools inspector on this port (the profiler uses it). */
  inspectorPort?: number;
  /** Receives every line workerd writes (the worker's logs), which are still printed as usual. */
  onLog?: (line: string) => void;
}

export interface Stack {
  url: string;
  mf: Miniflare;
  close(): Promise<void>;
}

export const COMPATIBILITY_DATE = "2026-04-20";

export async function startStack(opts: StackOptions): Promise<Stack> {
  if (!existsSync("web/dist/index.html")) {
    mkdirSync("web/dist", { recursive: true });
  }
  for (const dir of [opts.persistDir, opts.objectsDir]) if (dir) mkdirSync(dir, { recursive: true });
  if (!opts.env?.AUTH_SECRET) throw new Error("AUTH_SECRET is required");
  const pool = (opts.poolDatabase ?? process.env.PG_POOL !== "0") ? await startPgPool(opts.databaseUrl) : null;
  try {
    const mf = startMiniflare(opts, pool?.url ?? opts.databaseUrl);
    const url = (await mf.ready).toString().replace(/\/$/, "");
    return {
      url,
      mf,
      async close() {
        await mf.dispose();
        await pool?.close();
      },
    };
  } catch (err) {
    await pool?.close();
    throw err;
  }
}

/** Miniflare running the worker bundle with its bindings, reaching PostgreSQL at `databaseUrl`. */
function startMiniflare(opts: StackOptions, databaseUrl: string): Miniflare {
  const bindings: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    ENVIRONMENT: "development",
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    ...(opts.llmBaseUrl ? { LLM_BASE_URL: opts.llmBaseUrl } : {}),
    ...opts.env,
  };
  return new Miniflare({
    modules: true,
    scriptPath: opts.scriptPath ?? WORKER_BUNDLE,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ["nodejs_compat"],
    bindings,
    durableObjects: { CHAT_SESSION: { className: "ChatSession", useSQLite: true } },
    durableObjectsPersist: opts.persistDir ?? false,
    r2Buckets: ["AVATARS"],
    r2Persist: opts.objectsDir ?? false,
    assets: {
      directory: "web/dist",
      binding: "ASSETS",
      routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
    },
    ...(opts.inspectorPort ? { inspectorPort: opts.inspectorPort } : {}),
    ...(opts.onLog ? { handleRuntimeStdio: teeLines(opts.onLog) } : {}),
    host: opts.host ?? "127.0.0.1",
    port: opts.port ?? 0,
  });
}

/**
 * The AVATARS bucket alone, persisted in `dir`, for writing objects before
 * the stack starts (seeding); close it before starting the stack on the same folder.
 */
export async function openObjectStore(dir: string): Promise<{ bucket: R2Bucket; close(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch: () => new Response(null, { status: 404 }) };",
    compatibilityDate: COMPATIBILITY_DATE,
    r2Buckets: ["AVATARS"],
    r2Persist: dir,
  });
  await mf.ready;
  return { bucket: (await mf.getR2Bucket("AVATARS")) as unknown as R2Bucket, close: () => mf.dispose() };
}

/** workerd's stdout and stderr, line by line to `onLine` and on to this process's own. */
function teeLines(onLine: (line: string) => void) {
  return (stdout: Readable, stderr: Readable) => {
    for (const [stream, out] of [
      [stdout, process.stdout],
      [stderr, process.stderr],
    ] as const) {
      createInterface({ input: stream }).on("line", (line) => {
        onLine(line);
        out.write(`${line}\n`);
      });
    }
  };
}

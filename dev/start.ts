/**
 * `npm start`: the whole product on one address with nothing configured.
 * Unset DATABASE_URL → embedded PostgreSQL; unset LLM_BASE_URL → the
 * built-in development LLM; unset AUTH_SECRET → a generated one. Each
 * choice is stated in the log.
 */

import { buildWorker } from "./build";
import { buildWeb } from "./build-web";
import { startDevLlm } from "./dev-llm";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { migrateDatabase } from "./migrate";
import { devSecrets, SECRETS_FILE } from "./secrets";
import { seedSamples } from "./seed-samples";
import { openObjectStore, startStack } from "./stack";

const log = (msg: string) => console.log(`[start] ${msg}`);
const env = process.env;
const dataDir = env.DATA_DIR ?? ".data";
const closers: (() => Promise<void>)[] = [];

let databaseUrl = env.DATABASE_URL;
const embedded = !databaseUrl;
if (!databaseUrl) {
  const pg = await startEmbeddedPostgres(`${dataDir}/pglite`);
  closers.push(pg.close);
  databaseUrl = pg.url;
  log(`DATABASE_URL unset: embedded PostgreSQL (PGlite) on ${pg.url}, data in ${dataDir}/pglite`);
}
await migrateDatabase(databaseUrl);
log("migrations applied");
if (!embedded)
  log(
    env.PG_POOL === "0"
      ? "PG_POOL=0: the session objects connect to DATABASE_URL directly"
      : "the session objects reach DATABASE_URL through the local pool (dev/pg-pool.ts, Hyperdrive's part; PG_POOL=0 turns it off)",
  );

const workerEnv: Record<string, string> = {};
for (const k of [
  "LLM_MODEL",
  "LLM_API_KEY",
  "LLM_PROVIDER",
  "LLM_CONTEXT_TOKENS",
  "LLM_MAX_REPLY_TOKENS",
  "LLM_FIRST_TOKEN_MS",
  "LLM_GAP_MS",
  "LLM_TOTAL_MS",
  "TUNNEL_SIGNING_KEY",
  "TUNNEL_ISSUER",
  "CF_ACCESS_CLIENT_ID",
  "CF_ACCESS_CLIENT_SECRET",
  "MEMORY_TRIGGERS",
]) {
  if (env[k]) workerEnv[k] = env[k];
}
// Tracing (OTEL_TRACES_EXPORTER=console, or OTEL_EXPORTER_OTLP_ENDPOINT at dev/trace-collector.ts).
for (const [k, v] of Object.entries(env)) if (k.startsWith("OTEL_") && v) workerEnv[k] = v;
let llmBaseUrl = env.LLM_BASE_URL;
if (!llmBaseUrl) {
  const llm = await startDevLlm({ port: Number(env.DEV_LLM_PORT ?? 8790), wordDelayMs: Number(env.DEV_LLM_WORD_DELAY_MS ?? 15) });
  closers.push(llm.close);
  llmBaseUrl = llm.url;
  workerEnv.DEV_LLM = "1";
  workerEnv.LLM_MODEL ??= "development";
  log(`LLM_BASE_URL unset: built-in development LLM on ${llm.url} (deterministic, not a real model)`);
}
if (!env.REDIS_URL) log("REDIS_URL unset: no shared cache, sign-in and registration throttling off");
if (env.AUTH_SECRET) {
  workerEnv.AUTH_SECRET = env.AUTH_SECRET;
} else {
  const s = devSecrets();
  workerEnv.AUTH_SECRET = s.AUTH_SECRET;
  log(`AUTH_SECRET unset: using the development secret in ${SECRETS_FILE}${s.generated ? " (generated now)" : ""}`);
}

// Seeding runs before the worker starts: the embedded PostgreSQL must not see it race the session objects' alarms.
if (env.SEED_SAMPLES === "0") {
  log("SEED_SAMPLES=0: sample characters not seeded");
} else {
  const opened: { store?: Awaited<ReturnType<typeof openObjectStore>> } = {};
  const outcome = await seedSamples(databaseUrl, async () => (opened.store = await openObjectStore(`${dataDir}/objects`)).bucket);
  await opened.store?.close();
  log(
    outcome === "seeded"
      ? "sample characters seeded (public, owned by 'gallery'; SEED_SAMPLES=0 turns this off)"
      : outcome === "already_seeded"
        ? "sample characters already seeded"
        : "database has characters: sample characters not seeded",
  );
}

await Promise.all([buildWorker(), buildWeb()]);
const stack = await startStack({
  port: Number(env.PORT ?? 8787),
  host: env.HOST ?? "127.0.0.1",
  databaseUrl,
  // PGlite is one session behind its own wire server: nothing to pool.
  poolDatabase: embedded ? false : undefined,
  redisUrl: env.REDIS_URL,
  llmBaseUrl,
  env: workerEnv,
  persistDir: `${dataDir}/sessions`,
  objectsDir: `${dataDir}/objects`,
});
closers.push(stack.close);
log(`serving on ${stack.url}`);

const stop = async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

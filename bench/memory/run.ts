/**
 * `npm run bench:memory`: LoCoMo evidence-in-prompt through the real stack
 * (worker in workerd, session objects, a fresh PostgreSQL database, the
 * development LLM in scripted mode) at a 2,048-token window, next to the
 * recent-window and plain-RAG baselines computed from the same replay, and
 * the first-token cost of memory + recall against a recall-off twin worker
 * (the same replay in a second worker with RECALL_LIMIT=0).
 * Options: bench/memory/options.ts (`-- --help`). Prints markdown and writes
 * the JSON results (git-ignored). Needs PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres); Redis only when REDIS_URL is set.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { buildWorker } from "../../dev/build";
import { startDevLlm } from "../../dev/dev-llm";
import { type Stack, startStack } from "../../dev/stack";
import { closeClient } from "../http-client";
import { createBenchDatabase, workerProvenance } from "../service";
import { loadConversations } from "./locomo";
import { type ConversationRun, measureConversation } from "./measure";
import { PROTOCOL_ENV, parseOptions } from "./options";
import type { Target } from "./replay";
import { markdown, results } from "./report";
import { currentSeq, scriptReplies } from "./scripted-llm";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const t0 = performance.now();
const log = (msg: string) => console.error(`[bench:memory ${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

const options = parseOptions(process.argv.slice(2), process.env);
if (options.help) {
  const doc = readFileSync(resolve(root, "bench/memory/options.ts"), "utf8").split("*/")[0];
  console.log(doc.replace(/^\/\*\*|^ \* ?/gm, "").trim());
  process.exit(0);
}
const conversations = loadConversations(resolve(root, options.data), options.conversations);
const closers: (() => Promise<unknown>)[] = [];
const loadAtStart = loadavg()[0];

try {
  const db = await createBenchDatabase(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  closers.push(db.drop);
  const llm = await startDevLlm({ wordDelayMs: 0 });
  closers.push(llm.close);
  await scriptReplies(llm.url, []);
  await buildWorker();
  const secret = randomBytes(32).toString("base64url");
  const env = { AUTH_SECRET: secret, DEV_LLM: "1", LLM_MODEL: "development", ...PROTOCOL_ENV, ...options.env };
  const stack = (extra: Record<string, string> = {}): Promise<Stack> =>
    startStack({ databaseUrl: db.url, redisUrl: process.env.REDIS_URL, llmBaseUrl: llm.url, env: { ...env, ...extra } });
  const main = await stack();
  closers.push(main.close);
  const twin = options.twin ? await stack({ RECALL_LIMIT: "0" }) : undefined;
  if (twin) closers.push(twin.close);
  log(`database ${db.name}, dev LLM ${llm.url}, service ${main.url}${twin ? `, recall-off twin ${twin.url}` : ""}`);

  const target = (s: Stack): Target => ({ base: s.url, llm: llm.url });
  const cursor = { llm: llm.url, seq: await currentSeq(llm.url) };
  const runs: ConversationRun[] = [];
  for (const conv of conversations) {
    log(`${conv.id}: ${conv.speakerA} (user) and ${conv.speakerB} (character), ${conv.sessions.length} sessions`);
    runs.push(
      await measureConversation(conv, {
        main: target(main),
        twin: twin && target(twin),
        log: cursor,
        limit: options.questions,
        progress: log,
      }),
    );
    const last = runs.at(-1)!;
    log(
      `${conv.id}: ${last.turns} turns in ${(last.replayMs / 1000).toFixed(1)} s, ${last.questions.length} questions in ${(last.askMs / 1000).toFixed(1)} s`,
    );
  }
  const totalS = (performance.now() - t0) / 1000;
  const out = results(options.label, options.env, runs, totalS);
  console.log(markdown(out));
  const file = resolve(root, options.out);
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), load: [loadAtStart, loadavg()[0]], worker: workerProvenance(), ...out, runs }, null, 2)}\n`,
  );
  log(`results written to ${file}`);
} finally {
  for (const close of closers.reverse()) await close().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  closeClient();
}

/**
 * `npx tsx bench/profile.ts [turns] [--stored=N] [--chapters] [--plain] [--cold] [--script=bundle.js]`:
 * where the service's time goes on hot streaming turns. Diagnostics, not
 * the benchmark: the service reaches the development LLM through a timing
 * tap (one more hop), which splits each TTFT into before the LLM call, the
 * LLM, and relaying the first token back; then the V8 profiler samples the
 * worker's isolate (routes and session objects share it) for as many
 * turns. `--stored` seeds the pair's history first; `--chapters` asks
 * about old chapters with three pinned memories, and `--plain` turns recall
 * off, as `npm run bench`'s two 10,000-message scenarios; `--script` runs another
 * bundle (an experiment built elsewhere) instead of building worker/;
 * `--cold` profiles first turns instead: each turn opens a new conversation
 * (a new object) whose 40 messages are only in PostgreSQL.
 * Writes bench/profile.cpuprofile (Chrome DevTools → Performance).
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { buildWorker, WORKER_BUNDLE } from "../dev/build";
import { startDevLlm } from "../dev/dev-llm";
import { freePort } from "../dev/free-port";
import { startStack } from "../dev/stack";
import { childPids, cpuMeter } from "./cpu";
import { type CpuProfile, selfTimeTable, summarizeProfile } from "./cpu-profile";
import { devtools } from "./devtools";
import { serviceFirstToken } from "./first-token";
import { closeAll, send } from "./http-client";
import { startLlmTap } from "./llm-tap";
import { MEMORY_FACTS, oldChapterQuestion, seedHistory, topicQuestion } from "./seed";
import { benchPool, createBenchDatabase, createCharacter, registerUser } from "./service";
import { summarize } from "./stats";

const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const turns = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 150);
const stored = Number(flag("stored") ?? 0);
const script = flag("script") ?? WORKER_BUNDLE;
const chapters = process.argv.includes("--chapters");
const plain = process.argv.includes("--plain");
const cold = process.argv.includes("--cold");
const question = (i: number) => (chapters ? oldChapterQuestion(i, stored) : topicQuestion(i));

const closers: (() => Promise<void>)[] = [];
try {
  const db = await createBenchDatabase(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  closers.push(db.drop);
  const llm = await startDevLlm({ wordDelayMs: 0 });
  closers.push(llm.close);
  const tap = await startLlmTap(llm.url);
  closers.push(tap.close);
  if (script === WORKER_BUNDLE) await buildWorker();
  const inspectorPort = await freePort();
  const pool = await benchPool(db.url);
  closers.push(pool.close);
  const stack = await startStack({
    databaseUrl: pool.url,
    poolDatabase: false,
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    llmBaseUrl: tap.url,
    env: {
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      DEV_LLM: "1",
      LLM_MODEL: "development",
      ...(plain ? { RECALL_LIMIT: "0" } : {}),
    },
    scriptPath: script,
    inspectorPort,
  });
  closers.push(stack.close);
  const base = stack.url;
  const user = await registerUser(base);
  const characterId = await createCharacter(base, user, "profiled");
  if (stored > 0) await seedHistory(db.sql, { userId: user.userId, characterId }, stored);
  if (chapters && !plain)
    for (const content of MEMORY_FACTS)
      await send("POST", `${base}/api/chats/${characterId}/memories`, {
        headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ content }),
      });
  /** With `--cold`, a new conversation for each of the next turns, seeded in PostgreSQL only. */
  const fresh: string[] = [];
  const seedCold = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const id = await createCharacter(base, user, `cold ${fresh.length}`);
      await seedHistory(db.sql, { userId: user.userId, characterId: id }, 40);
      fresh.push(id);
    }
  };
  const turn = async (content: string): Promise<{ t0: number; ttft: number }> => {
    const t0 = performance.now();
    const res = await send("POST", `${base}/api/chats/${fresh.shift() ?? characterId}/messages`, {
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ content }),
      probe: serviceFirstToken(),
    });
    if (res.status !== 200 || res.firstMs === null) throw new Error(`${content}: ${res.status} ${res.body.slice(0, 200)}`);
    return { t0, ttft: res.firstMs };
  };
  for (let i = 0; i < 20; i++) await turn(`Warming up, turn ${i}.`);

  if (cold) await seedCold(turns);
  const connectionsBefore = tap.connections();
  const split = { before: [] as number[], llm: [] as number[], after: [] as number[], ttft: [] as number[] };
  for (let i = 0; i < turns; i++) {
    const content = stored > 0 ? question(1000 + i) : `Hello again, split turn ${i}.`;
    const { t0, ttft } = await turn(content);
    const mark = tap.marks.find((m) => m.lastMessage === content);
    if (!mark?.firstContent) throw new Error(`the tap saw no completion for "${content}"`);
    split.before.push(mark.arrived - t0);
    split.llm.push(mark.firstContent - mark.arrived);
    split.after.push(t0 + ttft - mark.firstContent);
    split.ttft.push(ttft);
  }
  const row = (name: string, values: number[]) => {
    const s = summarize(values);
    return `| ${name} | ${s.p50.toFixed(2)} | ${s.p90.toFixed(2)} | ${s.min.toFixed(2)} |`;
  };
  console.log(
    `## TTFT split over ${turns} ${cold ? "first (cold)" : "hot"} turns${stored ? ` (${stored} stored messages seeded)` : ""}, service → timing tap → dev LLM\n`,
  );
  console.log(
    [
      "| stage | p50 | p90 | min |",
      "|---|--:|--:|--:|",
      row("client send → LLM request arrives", split.before),
      row("LLM: request → first content chunk", split.llm),
      row("first chunk → client sees `event: token`", split.after),
      row("TTFT (with the tap's hop)", split.ttft),
    ].join("\n"),
  );
  console.log(`\nTCP connections the service opened to the LLM: ${tap.connections() - connectionsBefore} for ${turns} turns.\n`);

  const targets = JSON.parse((await send("GET", `http://127.0.0.1:${inspectorPort}/json`)).body) as {
    title: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((t) => t.title.endsWith("core:user:")) ?? targets[0];
  const cdp = await devtools(target.webSocketDebuggerUrl);
  if (cold) await seedCold(turns);
  await cdp.call("Profiler.enable");
  await cdp.call("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.call("Profiler.start");
  const cpu = cpuMeter(childPids("workerd"));
  const cpu0 = cpu?.() ?? null;
  const t0 = performance.now();
  for (let i = 0; i < turns; i++) await turn(stored > 0 ? question(2000 + i) : `Hello again, profiled turn ${i}.`);
  const wallMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 200)); // the outbox alarms of the last turn
  const cpuMs = cpu0 === null ? null : (cpu?.() ?? cpu0) - cpu0;
  const { profile } = (await cdp.call("Profiler.stop")) as { profile: CpuProfile };
  cdp.close();
  writeFileSync(new URL("./profile.cpuprofile", import.meta.url), JSON.stringify(profile));
  const summary = summarizeProfile(profile, script.split("/").at(-1) ?? "worker.js", readFileSync(script, "utf8"));
  console.log(
    `## workerd CPU profile (${target.title}): ${turns} turns in ${wallMs.toFixed(0)} ms wall; ` +
      `isolate busy ${summary.busyMs.toFixed(0)} ms = ${(summary.busyMs / turns).toFixed(2)} ms per turn` +
      (cpuMs === null ? "" : `; workerd's CPU (every thread, profiler included) ${(cpuMs / turns).toFixed(2)} ms per turn`) +
      "\n",
  );
  console.log(selfTimeTable("module (self time)", summary.byModule), "\n");
  console.log(selfTimeTable("function (self time)", summary.byFunction), "\n");
  console.log(selfTimeTable("app function (inclusive: itself and what it calls synchronously)", summary.appInclusive));
} catch (err) {
  process.exitCode = 1;
  console.error(err);
} finally {
  await closeAll(closers);
}

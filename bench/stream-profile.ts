/**
 * `npx tsx bench/stream-profile.ts [--n=100] [--pacing=20] [--tokens=400]`:
 * where workerd's time goes while N replies stream at once. Diagnostics, not
 * the benchmark: the V8 profiler samples the worker's isolate during one
 * concurrent run, and the process's CPU time is read beside it, so the
 * JavaScript share of each frame's cost and the runtime's share (streams
 * crossing from the session object to the response, sockets) are told
 * apart. Writes bench/profile.cpuprofile.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { buildWorker, WORKER_BUNDLE } from "../dev/build";
import { freePort } from "../dev/free-port";
import { startStack } from "../dev/stack";
import { childPids, cpuMeter } from "./cpu";
import { type CpuProfile, selfTimeTable, summarizeProfile } from "./cpu-profile";
import { devtools } from "./devtools";
import { closeAll, send } from "./http-client";
import { spawnDevLlm } from "./processes";
import { benchPool, createBenchDatabase, createCharacter, registerUser } from "./service";
import { SERVICE_FORMAT, streamAll } from "./stream-client";

const flag = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const n = flag("n", 100);
const pacingMs = flag("pacing", 20);
const tokens = flag("tokens", 400);

const closers: (() => Promise<void>)[] = [];
try {
  const db = await createBenchDatabase(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  closers.push(db.drop);
  const llm = await spawnDevLlm(pacingMs);
  closers.push(llm.close);
  await buildWorker();
  const inspectorPort = await freePort();
  const pool = await benchPool(db.url);
  closers.push(pool.close);
  const stack = await startStack({
    databaseUrl: pool.url,
    poolDatabase: false,
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    llmBaseUrl: llm.url,
    env: { AUTH_SECRET: "x".repeat(43), DEV_LLM: "1", LLM_MODEL: "development", LLM_MAX_REPLY_TOKENS: String(Math.max(512, tokens + 16)) },
    inspectorPort,
  });
  closers.push(stack.close);
  const meter = cpuMeter(childPids("workerd"));
  const user = await registerUser(stack.url);
  const request = (characterId: string, content: string) => ({
    url: `${stack.url}/api/chats/${characterId}/messages`,
    headers: { accept: "text/event-stream", authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ content }),
  });
  const chats: string[] = [];
  for (let i = 0; i < n; i++) chats.push(await createCharacter(stack.url, user, `profiled ${i}`));
  await streamAll(
    chats.map((c) => request(c, "Hello. [[long:8]]")),
    SERVICE_FORMAT,
    { spreadMs: 0, timeoutMs: 60_000 },
  );

  const targets = JSON.parse((await send("GET", `http://127.0.0.1:${inspectorPort}/json`)).body) as {
    title: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((t) => t.title.endsWith("core:user:")) ?? targets[0];
  const cdp = await devtools(target.webSocketDebuggerUrl);
  await cdp.call("Profiler.enable");
  await cdp.call("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.call("Profiler.start");
  const cpuBefore = meter?.() ?? 0;
  const traces = await streamAll(
    chats.map((c, i) => request(c, `A long story, ${i}. [[long:${tokens}]]`)),
    SERVICE_FORMAT,
    { spreadMs: pacingMs, timeoutMs: 120_000 },
  );
  const cpuMs = (meter?.() ?? 0) - cpuBefore;
  const { profile } = (await cdp.call("Profiler.stop")) as { profile: CpuProfile };
  cdp.close();
  writeFileSync(new URL("./profile.cpuprofile", import.meta.url), JSON.stringify(profile));
  const summary = summarizeProfile(profile, WORKER_BUNDLE.split("/").at(-1) ?? "worker.js", readFileSync(WORKER_BUNDLE, "utf8"), 25);
  const frames = n * tokens;
  console.log(
    `## ${n} replies × ${tokens} frames (${traces.filter((t) => t.ok).length} ok): workerd CPU ${cpuMs.toFixed(0)} ms = ` +
      `${((cpuMs * 1000) / frames).toFixed(1)} µs/frame; isolate JS busy ${summary.busyMs.toFixed(0)} ms = ` +
      `${((summary.busyMs * 1000) / frames).toFixed(1)} µs/frame\n`,
  );
  console.log(selfTimeTable("module (self time)", summary.byModule), "\n");
  console.log(selfTimeTable("function (self time)", summary.byFunction), "\n");
  console.log(selfTimeTable("app function (inclusive)", summary.appInclusive));
} catch (err) {
  process.exitCode = 1;
  console.error(err);
} finally {
  await closeAll(closers);
}

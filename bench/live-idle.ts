/**
 * `npx tsx bench/live-idle.ts [--n=100] [--idle=20] [--ping=25]`: what an idle
 * live connection costs the service, WebSocket against SSE. N clients of one
 * user each open the live channel of their own (user, character) pair, then
 * sit idle for `--idle` seconds (WebSocket clients sending "ping" every
 * `--ping` seconds, as the web client does every 25 s); workerd's resident
 * memory and CPU time are read before, once all are open, and after the idle
 * time. Every pair's session object is loaded first, so the figures are the
 * channels' own. Run alone: another process's load shows up in the CPU figures.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { childPids, cpuMeter } from "./cpu";
import { spawnDevLlm } from "./processes";
import { createBenchDatabase, createCharacter, registerUser, startService } from "./service";

const flag = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const N = flag("n", 100);
const IDLE_S = flag("idle", 20);
const PING_S = flag("ping", 25);

const rssKb = (pids: number[]): number =>
  pids.reduce((kb, pid) => kb + Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0), 0);

const db = await createBenchDatabase(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const llm = await spawnDevLlm(1);
const before = new Set(childPids("workerd"));
const stack = await startService({ databaseUrl: db.url, redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", llmBaseUrl: llm.url });
const pids = childPids("workerd").filter((p) => !before.has(p));
const cpu = cpuMeter(pids);
try {
  const user = await registerUser(stack.url);
  const characters: string[] = [];
  for (let i = 0; i < N; i++) characters.push(await createCharacter(stack.url, user, `live ${i}`));
  // Every pair's session object exists and is loaded before either channel is measured.
  for (const id of characters) {
    const res = await fetch(`${stack.url}/api/chats/${id}/messages?limit=1`, { headers: { authorization: `Bearer ${user.token}` } });
    if (!res.ok) throw new Error(`history: ${res.status}`);
  }
  const rows: string[] = [];
  for (const kind of ["websocket", "sse"] as const) {
    const rss0 = rssKb(pids);
    const cpu0 = cpu?.() ?? 0;
    const closers: (() => void)[] = [];
    await Promise.all(
      characters.map(async (id) => {
        const url = `${stack.url}/api/chats/${id}/live`;
        if (kind === "websocket") {
          const ws = new WebSocket(url.replace(/^http/, "ws"), ["chat-live", `bearer.${user.token}`]);
          await new Promise<void>((ok, fail) => {
            ws.once("open", () => ok());
            ws.once("error", fail);
          });
          const timer = setInterval(() => ws.send("ping"), PING_S * 1000);
          closers.push(() => {
            clearInterval(timer);
            ws.close();
          });
        } else {
          const abort = new AbortController();
          const res = await fetch(url, {
            headers: { authorization: `Bearer ${user.token}`, accept: "text/event-stream" },
            signal: abort.signal,
          });
          if (!res.ok || !res.body) throw new Error(`live SSE: ${res.status}`);
          void res.body.pipeTo(new WritableStream()).catch(() => {});
          closers.push(() => abort.abort());
        }
      }),
    );
    await sleep(2000);
    const rss1 = rssKb(pids);
    const cpu1 = cpu?.() ?? 0;
    await sleep(IDLE_S * 1000);
    const rss2 = rssKb(pids);
    const cpu2 = cpu?.() ?? 0;
    for (const close of closers) close();
    await sleep(2000);
    rows.push(
      `| ${kind} | ${N} | ${((rss1 - rss0) / N).toFixed(1)} | ${((rss2 - rss0) / N).toFixed(1)} | ${(cpu1 - cpu0).toFixed(0)} | ${(((cpu2 - cpu1) / N / IDLE_S) * 60).toFixed(2)} |`,
    );
  }
  console.log(`\n## Idle live connections (workerd, ${N} pairs, ${IDLE_S} s idle, WebSocket ping every ${PING_S} s)\n`);
  console.log(
    "| channel | clients | KB per client once open | KB per client after idle | CPU ms to open all | idle CPU ms per client per minute |",
  );
  console.log("|---|--:|--:|--:|--:|--:|");
  for (const r of rows) console.log(r);
} finally {
  await stack.close();
  await llm.close();
  await db.drop();
}

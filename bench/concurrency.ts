/**
 * `npm run bench -- concurrency` (or `npx tsx bench/concurrency.ts`):
 * streaming at scale. N streaming replies at once (N = 50, 100, 200), each
 * in its own conversation, the development LLM (its own process) pacing
 * words, read by one client on four paths in the same run: straight to the
 * LLM, a raw Node pass-through, a workerd pass-through (miniflare, as the
 * service runs) and the service. Per path: CPU per upstream frame of the
 * process in between, inter-frame gaps, stalls, failures, first token. Then
 * a quiet single stream (first token added, cold vs warm conversation) and
 * the resident memory per conversation object. Prints markdown with the
 * issue's goals and writes bench/concurrency-results.json.
 *
 * Flags: --n=50,100,200 --pacing=20 --tokens=400 --quiet=40 --cold=50
 * --messages=40 --paths=direct,node,workerd,service.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { type ConcurrencyRun, goalRows, goalTable, type PathName, type PathRun, type QuietFigures, runTable } from "./concurrency-report";
import { childPids, cpuMeter } from "./cpu";
import { closeClient } from "./http-client";
import { forkPassthroughProxy } from "./passthrough-proxy";
import { rssKb, spawnDevLlm, startWorkerdPassthrough } from "./processes";
import { seedHistory } from "./seed";
import { createBenchDatabase, createCharacter, registerUser, startService, workerProvenance } from "./service";
import { pairedDiff, summarize } from "./stats";
import { OPENAI_FORMAT, SERVICE_FORMAT, type StreamRequest, streamAll } from "./stream-client";
import { cpuPerFrameUs, pathFigures } from "./stream-stats";
import { type Conversation, measureTurn, type Paths } from "./turns";

type PathKey = "direct" | "node" | "workerd" | "service";
const NAMES: Record<PathKey, PathName> = {
  direct: "direct",
  node: "node pass-through",
  workerd: "workerd pass-through",
  service: "service",
};

function flag(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
function int(name: string, fallback: number): number {
  const n = Number(flag(name));
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

export async function runConcurrency(): Promise<void> {
  const settings = {
    ns: (flag("n") ?? "50,100,200")
      .split(",")
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0),
    pacingMs: int("pacing", 20),
    tokens: int("tokens", 400),
    quietTurns: int("quiet", 40),
    coldConversations: int("cold", 50),
    messagesPerConversation: int("messages", 40),
    paths: (flag("paths") ?? "direct,node,workerd,service").split(",") as PathKey[],
  };
  const t0 = performance.now();
  const loadAtStart = loadavg()[0];
  const log = (msg: string) => console.error(`[concurrency ${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
  const closers: (() => Promise<void>)[] = [];
  try {
    const db = await createBenchDatabase(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
    closers.push(db.drop);
    const llm = await spawnDevLlm(settings.pacingMs);
    closers.push(llm.close);
    const node = await forkPassthroughProxy(llm.url);
    closers.push(node.close);
    const workerd = await startWorkerdPassthrough(llm.url);
    closers.push(workerd.close);
    const before = new Set(childPids("workerd"));
    const stack = await startService({
      databaseUrl: db.url,
      redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      llmBaseUrl: llm.url,
      env: { LLM_MAX_REPLY_TOKENS: String(Math.max(512, settings.tokens + 16)) },
    });
    closers.push(stack.close);
    const servicePids = childPids("workerd").filter((p) => !before.has(p));
    const meters = {
      direct: null,
      node: cpuMeter(node.pid ? [node.pid] : []),
      workerd: cpuMeter(workerd.pids),
      service: cpuMeter(servicePids),
    };
    log(
      `LLM ${llm.url} (pid ${llm.pids}), node ${node.url}, workerd ${workerd.url} (pid ${workerd.pids}), service ${stack.url} (pid ${servicePids})`,
    );

    const user = await registerUser(stack.url);
    const maxN = Math.max(...settings.ns, 1);
    const chats: Conversation[] = [];
    for (let i = 0; i < maxN; i++) chats.push({ token: user.token, characterId: await createCharacter(stack.url, user, `stream ${i}`) });
    const serviceRequest = (chat: Conversation, content: string): StreamRequest => ({
      url: `${stack.url}/api/chats/${chat.characterId}/messages`,
      headers: { accept: "text/event-stream", authorization: `Bearer ${chat.token}` },
      body: JSON.stringify({ content }),
    });
    // Every conversation's object is created and warm before it is measured.
    for (let i = 0; i < chats.length; i += 25) {
      const batch = chats.slice(i, i + 25).map((c) => serviceRequest(c, "Hello there. [[long:8]]"));
      const warm = await streamAll(batch, SERVICE_FORMAT, { spreadMs: 0, timeoutMs: 60_000 });
      if (warm.some((t) => !t.ok)) throw new Error("warm-up turn failed");
    }
    log(`${chats.length} conversations warm`);

    const runs: ConcurrencyRun[] = [];
    for (const n of settings.ns) {
      const paths: PathRun[] = [];
      for (const key of settings.paths) {
        const content = (i: number) => `Tell me a long story, number ${n}.${i}. [[long:${settings.tokens}]]`;
        const openai = (base: string, i: number): StreamRequest => ({
          url: `${base}/chat/completions`,
          headers: { accept: "text/event-stream" },
          body: JSON.stringify({
            model: "development",
            messages: [{ role: "user", content: content(i) }],
            stream: true,
            stream_options: { include_usage: true },
            max_tokens: settings.tokens + 16,
          }),
        });
        const base = key === "direct" ? llm.url : key === "node" ? node.url : workerd.url;
        const requests = Array.from({ length: n }, (_, i) => (key === "service" ? serviceRequest(chats[i], content(i)) : openai(base, i)));
        const meter = meters[key];
        const cpuBefore = meter?.() ?? null;
        const traces = await streamAll(requests, key === "service" ? SERVICE_FORMAT : OPENAI_FORMAT, {
          spreadMs: settings.pacingMs,
          timeoutMs: settings.tokens * settings.pacingMs * 10 + 30_000,
        });
        // Work a reply leaves behind (the outbox copy to PostgreSQL) is part of its cost.
        await new Promise((r) => setTimeout(r, 1000));
        const cpuAfter = meter?.() ?? null;
        const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
        const figures = pathFigures(traces, settings.pacingMs);
        paths.push({ path: NAMES[key], ...figures, cpuPerFrameUs: cpuPerFrameUs(cpuMs, n * settings.tokens) });
        log(
          `N=${n} ${key}: gaps p50 ${figures.gaps.p50.toFixed(1)} p99 ${figures.gaps.p99.toFixed(1)} max ${figures.gaps.max.toFixed(1)} ms, ` +
            `stalls ${figures.stalls}, failures ${figures.failures}, CPU ${cpuMs?.toFixed(0) ?? "?"} ms`,
        );
      }
      runs.push({ n, paths });
    }

    let quiet: QuietFigures | null = null;
    if (settings.quietTurns > 0 && settings.paths.includes("service")) {
      const turnPaths: Paths = { llm: llm.url, proxy: node.url, service: stack.url };
      const turnMeters = { service: null, proxy: null };
      const hot = chats[0];
      const samples = [];
      for (let i = 0; i < settings.quietTurns; i++)
        samples.push(await measureTurn(turnPaths, turnMeters, hot, `Quiet turn ${i}. [[long:8]]`, "stream"));
      const cold = [];
      for (let i = 0; i < settings.coldConversations; i++) {
        const chat = { token: user.token, characterId: await createCharacter(stack.url, user, `cold ${i}`) };
        await seedHistory(db.sql, { userId: user.userId, characterId: chat.characterId }, settings.messagesPerConversation);
        cold.push(chat);
      }
      const rssBefore = rssKb(servicePids);
      const coldSamples = [];
      for (const [i, chat] of cold.entries())
        coldSamples.push(await measureTurn(turnPaths, turnMeters, chat, `Cold turn ${i}. [[long:8]]`, "stream"));
      await new Promise((r) => setTimeout(r, 1000));
      const rssAfter = rssKb(servicePids);
      const warmSamples = [];
      for (const [i, chat] of cold.entries())
        warmSamples.push(await measureTurn(turnPaths, turnMeters, chat, `Warm turn ${i}. [[long:8]]`, "stream"));
      const added = (s: { service: number; direct: number }[]) =>
        summarize(
          pairedDiff(
            s.map((x) => x.service),
            s.map((x) => x.direct),
          ),
        );
      quiet = {
        added: added(samples),
        coldAdded: added(coldSamples),
        warmAdded: added(warmSamples),
        kbPerConversation: cold.length ? (rssAfter - rssBefore) / cold.length : Number.NaN,
        messagesPerConversation: settings.messagesPerConversation,
      };
      log(
        `quiet: added p50 ${quiet.added.p50.toFixed(2)} ms; cold ${quiet.coldAdded.p50.toFixed(2)} / warm ${quiet.warmAdded.p50.toFixed(2)} ms`,
      );
    }

    const worker = workerProvenance();
    const load = [loadAtStart, loadavg()[0]];
    const out = [
      `## npm run bench -- concurrency — ${new Date().toISOString()}, ${cpus().length} cores, load average ${load[0].toFixed(1)} → ${load[1].toFixed(1)}`,
      "",
      `Worker: commit ${worker.commit}${worker.uncommitted.length ? ` + ${worker.uncommitted.length} uncommitted worker files` : ""}, bundle ${worker.bundleSha256}. ` +
        `${settings.tokens} words per reply, paced ${settings.pacingMs} ms; CPU per frame is the process between client and LLM (CPU time / upstream frames).`,
      "",
      ...(Math.max(...load) > cpus().length
        ? ["> The machine was busy (load above its cores): gaps and first tokens include waiting for a core.", ""]
        : []),
      ...runs.flatMap((r) => [runTable(r, settings.pacingMs), ""]),
      "### Goals (issue 13)",
      "",
      goalTable(goalRows(runs, quiet, settings.pacingMs)),
    ];
    console.log(`\n${out.join("\n")}`);
    writeFileSync(
      new URL("./concurrency-results.json", import.meta.url),
      `${JSON.stringify({ at: new Date().toISOString(), load, worker, settings, runs, quiet }, null, 2)}\n`,
    );
    log("wrote bench/concurrency-results.json");
  } catch (err) {
    process.exitCode = 1;
    console.error(err);
  } finally {
    for (const close of closers.reverse()) await close().catch((err: unknown) => console.error("cleanup:", err));
    closeClient();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runConcurrency();

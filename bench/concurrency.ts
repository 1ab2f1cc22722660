/**
 * `npm run bench -- concurrency` (or `npx tsx bench/concurrency.ts`):
 * streaming at scale. N streaming replies at once (N = 50, 100, 200), each
 * in its own conversation, the development LLM (its own process) pacing
 * words, read by one client on each path in the same run: straight to the
 * LLM, a raw Node pass-through, a workerd pass-through (miniflare, as the
 * service runs), two workerd relays, Portkey's gateway and the service. Per path: CPU per upstream frame of the
 * process in between, inter-frame gaps, stalls, failures, first token. Then
 * a quiet single stream (first token added, cold vs warm conversation) and
 * the resident memory per conversation object. Prints markdown with the
 * issue's goals and writes bench/concurrency-results.json.
 *
 * Flags: --n=50,100,200 --pacing=20 --tokens=400 --quiet=40 --cold=50
 * --messages=40 --paths=direct,node,workerd,relay,dorelay,portkey,service
 * (relay: a worker reading the upstream in JavaScript; dorelay: the same in
 * a Durable Object per reply, its stream crossing back over RPC; portkey:
 * `@portkey-ai/gateway` 1.15 in Node, bench/portkey.ts); --baseline=<bundle.js> also
 * runs another build of the worker (e.g. the commit before a change) as a
 * fifth path, so before and after are measured in the same run.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { type ConcurrencyRun, goalRows, goalTable, type PathName, type PathRun, type QuietFigures, runTable } from "./concurrency-report";
import { childPids, cpuMeter } from "./cpu";
import { closeAll } from "./http-client";
import { forkPassthroughProxy } from "./passthrough-proxy";
import { spawnPortkey } from "./portkey";
import { spawnDevLlm, startWorkerdPassthrough, startWorkerdRelay } from "./processes";
import { measureQuiet } from "./quiet";
import { type BenchUser, createBenchDatabase, createCharacter, registerUser, startService, workerProvenance } from "./service";
import { OPENAI_FORMAT, SERVICE_FORMAT, type StreamRequest, streamAll } from "./stream-client";
import { cpuPerFrameUs, pathFigures } from "./stream-stats";
import type { Conversation } from "./turns";

type PathKey = "direct" | "node" | "workerd" | "relay" | "dorelay" | "portkey" | "service" | "baseline";
const NAMES: Record<PathKey, PathName> = {
  direct: "direct",
  node: "node pass-through",
  workerd: "workerd pass-through",
  relay: "workerd JS relay",
  dorelay: "workerd DO relay",
  portkey: "Portkey 1.15",
  service: "service",
  baseline: "service, baseline bundle",
};

/** A running service with its workerd pids, its user and one conversation per concurrent reply. */
interface Service {
  url: string;
  pids: number[];
  user: BenchUser;
  chats: Conversation[];
}

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
    paths: (flag("paths") ?? "direct,node,workerd,relay,dorelay,portkey,service").split(",") as PathKey[],
    baseline: flag("baseline"),
  };
  if (settings.baseline) settings.paths.push("baseline");
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
    const relay = await startWorkerdRelay(llm.url, "js");
    closers.push(relay.close);
    const doRelay = await startWorkerdRelay(llm.url, "do");
    closers.push(doRelay.close);
    const portkey = settings.paths.includes("portkey") ? await spawnPortkey(llm.url) : null;
    if (portkey) closers.push(portkey.close);
    const services: Partial<Record<"service" | "baseline", Service>> = {};
    for (const key of ["service", "baseline"] as const) {
      if (!settings.paths.includes(key)) continue;
      const before = new Set(childPids("workerd"));
      const stack = await startService({
        databaseUrl: db.url,
        redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
        llmBaseUrl: llm.url,
        env: { LLM_MAX_REPLY_TOKENS: String(Math.max(512, settings.tokens + 16)) },
        ...(key === "baseline" ? { scriptPath: settings.baseline } : {}),
      });
      closers.push(stack.close);
      services[key] = {
        url: stack.url,
        pids: childPids("workerd").filter((p) => !before.has(p)),
        user: await registerUser(stack.url),
        chats: [],
      };
    }
    const meters = {
      direct: null,
      node: cpuMeter(node.pid ? [node.pid] : []),
      workerd: cpuMeter(workerd.pids),
      relay: cpuMeter(relay.pids),
      dorelay: cpuMeter(doRelay.pids),
      portkey: portkey ? cpuMeter(portkey.pids) : null,
      service: cpuMeter(services.service?.pids ?? []),
      baseline: cpuMeter(services.baseline?.pids ?? []),
    };
    log(
      `LLM ${llm.url} (pid ${llm.pids}), node ${node.url}, workerd ${workerd.url} (pid ${workerd.pids}), ` +
        (portkey ? `Portkey ${portkey.url} (pid ${portkey.pids}), ` : "") +
        Object.entries(services)
          .map(([k, s]) => `${k} ${s.url} (pid ${s.pids})`)
          .join(", "),
    );

    // Quiet first: a single stream at a time, a cold conversation, and memory per conversation object.
    let quiet: QuietFigures | null = null;
    const main = services.service;
    if (settings.quietTurns > 0 && main)
      quiet = await measureQuiet(main, { llm: llm.url, proxy: node.url, floor: doRelay.url }, db, settings, log);

    const serviceRequest = (service: Service, chat: Conversation, content: string): StreamRequest => ({
      url: `${service.url}/api/chats/${chat.characterId}/messages`,
      headers: { accept: "text/event-stream", authorization: `Bearer ${chat.token}` },
      body: JSON.stringify({ content }),
    });
    const maxN = Math.max(...settings.ns, 1);
    for (const service of Object.values(services)) {
      for (let i = 0; i < maxN; i++) {
        service.chats.push({ token: service.user.token, characterId: await createCharacter(service.url, service.user, `stream ${i}`) });
      }
      // Every conversation's object is created and warm before it is measured.
      for (let i = 0; i < service.chats.length; i += 25) {
        const batch = service.chats.slice(i, i + 25).map((c) => serviceRequest(service, c, "Hello there. [[long:8]]"));
        const warm = await streamAll(batch, SERVICE_FORMAT, { spreadMs: 0, timeoutMs: 60_000 });
        if (warm.some((t) => !t.ok)) throw new Error("warm-up turn failed");
      }
      log(`${service.chats.length} conversations warm on ${service.url}`);
    }

    const runs: ConcurrencyRun[] = [];
    for (const n of settings.ns) {
      const paths: PathRun[] = [];
      for (const key of settings.paths) {
        const content = (i: number) => `Tell me a long story, number ${n}.${i}. [[long:${settings.tokens}]]`;
        const openai = (base: string, i: number): StreamRequest => ({
          url: `${base}/chat/completions`,
          headers: { accept: "text/event-stream", ...(key === "portkey" ? portkey?.headers : {}) },
          body: JSON.stringify({
            model: "development",
            messages: [{ role: "user", content: content(i) }],
            stream: true,
            stream_options: { include_usage: true },
            max_tokens: settings.tokens + 16,
          }),
        });
        const bases: Partial<Record<PathKey, string>> = {
          direct: llm.url,
          node: node.url,
          workerd: workerd.url,
          relay: relay.url,
          dorelay: doRelay.url,
          portkey: portkey?.url,
        };
        const base = bases[key] ?? llm.url;
        const service = key === "service" || key === "baseline" ? services[key] : undefined;
        const requests = Array.from({ length: n }, (_, i) =>
          service ? serviceRequest(service, service.chats[i], content(i)) : openai(base, i),
        );
        const meter = meters[key];
        const cpuBefore = meter?.() ?? null;
        const traces = await streamAll(requests, service ? SERVICE_FORMAT : OPENAI_FORMAT, {
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
    await closeAll(closers);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runConcurrency();

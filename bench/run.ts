/**
 * `npm run bench`: the service's added latency over loopback, measured side
 * by side in one run against the development LLM directly, behind a raw
 * Node pass-through proxy (the floor) and, for the hot session, behind
 * Portkey's gateway (what people use today). Streaming TTFT on a hot session,
 * full-answer latency for JSON, TTFT with 10 / 1,000 / 10,000 stored
 * messages, and a layer-by-layer breakdown. Prints markdown and writes
 * bench/results.json. Needs PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres) and Redis (REDIS_URL).
 * `npm run bench -- concurrency` runs the streaming-at-scale benchmark instead.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { startDevLlm } from "../dev/dev-llm";
import { measureLayers } from "./breakdown";
import { runConcurrency } from "./concurrency";
import { childPids, cpuMeter, settle } from "./cpu";
import { closeAll } from "./http-client";
import { forkPassthroughProxy } from "./passthrough-proxy";
import { spawnPortkey } from "./portkey";
import { checks, markdown, memoryCheck, scenario, TARGETS } from "./report";
import { MEMORY_FACTS, oldChapterQuestion, seedHistory, topicQuestion } from "./seed";
import { createBenchDatabase, createCharacter, registerUser, startService, workerProvenance } from "./service";
import { type Conversation, type Meters, measureTurn, type Paths, runTurns, type TurnSample } from "./turns";

const count = (name: string, fallback: number): number => {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};
const SETTINGS = {
  warmupTurns: count("BENCH_WARMUP", 20),
  hotTurns: count("BENCH_TURNS", 300),
  jsonTurns: count("BENCH_JSON_TURNS", 100),
  sizedTurns: count("BENCH_SIZED_TURNS", 100),
  layerRounds: count("BENCH_LAYER_ROUNDS", 200),
  storedSizes: [10, 1000, 10_000],
};
const MEMORY_STORED = 10_000;
const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const t0 = performance.now();
const loadAtStart = loadavg()[0];
const log = (msg: string) => console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const closers: (() => Promise<void>)[] = [];
/** `npm run bench -- concurrency`: streaming at scale (bench/concurrency.ts) instead of the latency benchmark. */
const concurrencyOnly = process.argv[2] === "concurrency";

if (concurrencyOnly) await runConcurrency();
else
  try {
    const db = await createBenchDatabase(adminUrl);
    closers.push(db.drop);
    log(`database ${db.name} created and migrated`);
    const llm = await startDevLlm({ wordDelayMs: 0 });
    closers.push(llm.close);
    const proxy = await forkPassthroughProxy(llm.url);
    closers.push(proxy.close);
    const portkey = await spawnPortkey(llm.url);
    closers.push(portkey.close);
    const stack = await startService({ databaseUrl: db.url, redisUrl, llmBaseUrl: llm.url });
    closers.push(stack.close);
    const worker = workerProvenance();
    const paths: Paths = { llm: llm.url, proxy: proxy.url, service: stack.url };
    const meters: Meters = {
      service: cpuMeter(childPids("workerd")),
      proxy: cpuMeter(proxy.pid ? [proxy.pid] : []),
      portkey: cpuMeter(portkey.pids),
    };
    // Portkey replays the hot session's prompts (streaming and JSON), the comparison people would make.
    const withPortkey: Paths = { ...paths, portkey: { url: portkey.url, headers: portkey.headers } };
    log(
      `dev LLM ${llm.url}, proxy ${proxy.url}, Portkey ${portkey.url}, service ${stack.url}${meters.service ? "" : " (no /proc: CPU not measured)"}`,
    );

    const user = await registerUser(stack.url);
    const chatFor = async (label: string): Promise<Conversation> => ({
      token: user.token,
      characterId: await createCharacter(stack.url, user, label),
    });

    const hot = await chatFor("hot");
    await runTurns(withPortkey, meters, hot, SETTINGS.warmupTurns, "stream");
    log(`hot session warm; ${SETTINGS.hotTurns} streaming turns`);
    const hotSamples = await runTurns(withPortkey, meters, hot, SETTINGS.hotTurns, "stream", SETTINGS.warmupTurns);

    const json = await chatFor("json");
    await runTurns(withPortkey, meters, json, 5, "json");
    log(`${SETTINGS.jsonTurns} JSON turns`);
    const jsonSamples = await runTurns(withPortkey, meters, json, SETTINGS.jsonTurns, "json", 5);

    log(`layer breakdown, ${SETTINGS.layerRounds} rounds`);
    const layers = await measureLayers(paths, meters, hot, SETTINGS.layerRounds);

    const sized: { stored: number; chat: Conversation; samples: TurnSample[] }[] = [];
    for (const stored of SETTINGS.storedSizes) {
      const chat = await chatFor(`stored ${stored}`);
      await seedHistory(db.sql, { userId: user.userId, characterId: chat.characterId }, stored);
      sized.push({ stored, chat, samples: [] });
    }
    log(`seeded ${SETTINGS.storedSizes.join(" / ")} messages; first turns load from PostgreSQL`);
    const coldFirstTurns = [];
    for (const s of sized) {
      const first = await measureTurn(paths, meters, s.chat, topicQuestion(0), "stream");
      coldFirstTurns.push({ name: `${s.stored.toLocaleString("en-US")} stored`, ttftMs: first.service, directMs: first.direct });
    }
    // The objects fill their recall index in the background: the sized turns measure them after it, as a returning user finds them.
    await settle(meters.service);
    log(`${SETTINGS.sizedTurns} streaming turns per size, round-robin across sizes`);
    for (let i = 0; i < SETTINGS.sizedTurns; i++) {
      for (const s of sized) s.samples.push(await measureTurn(paths, meters, s.chat, topicQuestion(i + 1), "stream"));
    }

    // Long memory at 10,000 stored: pinned memories and recall on, against a
    // service with recall off and no memories (the plain path), round-robin.
    const running = new Set(childPids("workerd"));
    const plainStack = await startService({ databaseUrl: db.url, redisUrl, llmBaseUrl: llm.url, env: { RECALL_LIMIT: "0" } });
    closers.push(plainStack.close);
    const plainPaths: Paths = { ...paths, service: plainStack.url };
    // Its own workerd's CPU, not the first service's.
    const plainMeters: Meters = { ...meters, service: cpuMeter(childPids("workerd").filter((p) => !running.has(p))) };
    const plainUser = await registerUser(plainStack.url);
    const plain: Conversation = { token: plainUser.token, characterId: await createCharacter(plainStack.url, plainUser, "plain 10k") };
    await seedHistory(db.sql, { userId: plainUser.userId, characterId: plain.characterId }, MEMORY_STORED);
    const memory = await chatFor("memory 10k");
    await seedHistory(db.sql, { userId: user.userId, characterId: memory.characterId }, MEMORY_STORED);
    for (const fact of MEMORY_FACTS) {
      await fetch(`${stack.url}/api/chats/${memory.characterId}/memories`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
        body: JSON.stringify({ content: fact }),
      });
    }
    await measureTurn(plainPaths, plainMeters, plain, oldChapterQuestion(0, MEMORY_STORED), "stream");
    await measureTurn(paths, meters, memory, oldChapterQuestion(0, MEMORY_STORED), "stream");
    // The same for the long-memory pair on both services.
    await settle(cpuMeter(childPids("workerd")));
    log(`${SETTINGS.sizedTurns} turns with memory and recall vs the plain path, ${MEMORY_STORED.toLocaleString("en-US")} stored`);
    const plainSamples: TurnSample[] = [];
    const memorySamples: TurnSample[] = [];
    for (let i = 1; i <= SETTINGS.sizedTurns; i++) {
      plainSamples.push(await measureTurn(plainPaths, plainMeters, plain, oldChapterQuestion(i, MEMORY_STORED), "stream"));
      memorySamples.push(await measureTurn(paths, meters, memory, oldChapterQuestion(i, MEMORY_STORED), "stream"));
    }

    const scenarios = [
      scenario("hot session, streaming", "stream", hotSamples),
      scenario("hot session, JSON (stream:false baseline)", "json", jsonSamples),
      ...sized.map((s) => scenario(`${s.stored.toLocaleString("en-US")} stored, streaming`, "stream", s.samples)),
      scenario("10,000 stored, plain path (recall off, no memories)", "stream", plainSamples),
      scenario("10,000 stored, memories + recall", "stream", memorySamples),
    ];
    const [hotResult, jsonResult, small, , large, plainResult, memoryResult] = scenarios;
    const results = [...checks(hotResult, jsonResult, small, large), memoryCheck(plainResult, memoryResult)];
    const run = {
      at: new Date().toISOString(),
      cores: cpus().length,
      node: process.version,
      durationS: (performance.now() - t0) / 1000,
      load: [loadAtStart, loadavg()[0]] as [number, number],
      worker:
        `commit ${worker.commit}` +
        `${worker.uncommitted.length ? ` + ${worker.uncommitted.length} uncommitted worker files` : ""}, bundle ${worker.bundleSha256}`,
    };
    console.log(`\n${markdown(run, scenarios, results, layers, coldFirstTurns)}`);
    writeFileSync(
      new URL("./results.json", import.meta.url),
      `${JSON.stringify(
        {
          ...run,
          cpu: cpus()[0]?.model,
          workerBuild: worker,
          settings: SETTINGS,
          targets: TARGETS,
          scenarios,
          checks: results,
          coldFirstTurns,
          layers,
          samples: {
            hot: hotSamples,
            json: jsonSamples,
            plain: plainSamples,
            memory: memorySamples,
            ...Object.fromEntries(sized.map((s) => [`stored${s.stored}`, s.samples])),
          },
        },
        null,
        2,
      )}\n`,
    );
    log("wrote bench/results.json");
  } catch (err) {
    process.exitCode = 1;
    console.error(err);
  } finally {
    await closeAll(closers);
  }

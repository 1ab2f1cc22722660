/**
 * `npx tsx bench/tracing.ts`: what tracing costs a chat turn. First in CPU,
 * in this process: the work the worker adds per turn (parse the incoming
 * traceparent; the request, session-object, prompt and upstream spans with
 * their attributes; three OTLP/JSON bodies, one per flush) and the
 * gateway's (four spans, one body), median of several rounds. Then side by
 * side in workerd: two copies of the service on the same development LLM,
 * one exporting every span to the development collector and one with
 * tracing off, turns alternating between them (streamed replies of
 * TRACE_BENCH_WORDS words): time to first token, the whole stream, and
 * workerd CPU per turn (the exports included). Needs PostgreSQL (DATABASE_URL) and
 * Redis (REDIS_URL), as `npm run bench` does.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevLlm } from "../dev/dev-llm";
import { freePort } from "../dev/free-port";
import { flattenOtlp } from "../dev/trace-collector";
import { createTracer, toOtlpJson } from "../worker/shared/spans";
import { parseTraceparent } from "../worker/shared/trace-context";
import { TRACE_SCOPE } from "../worker/shared/trace-export";
import { childPids, cpuMeter, cpuOf } from "./cpu";
import { serviceFirstToken } from "./first-token";
import { closeClient, send } from "./http-client";
import { createBenchDatabase, createCharacter, registerUser, startService } from "./service";
import { percentile } from "./stats";

const TURNS = 20_000;
const ROUNDS = 9;
const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const resource = { "service.name": "bench" };
let sink = 0;

function workerTurn(): void {
  const request = createTracer({ recording: true });
  const root = request.start("POST", { parent: parseTraceparent(undefined), kind: "server", attrs: { "http.request.method": "POST" } });
  root.rename("POST /api/chats/:characterId/messages");
  root.set({ "http.route": "/api/chats/:characterId/messages", "http.response.status_code": 200 });
  const tp = root.traceparent();
  root.end();
  sink += JSON.stringify(toOtlpJson(resource, TRACE_SCOPE, request.take())).length;

  const call = createTracer({ recording: true });
  const session = call.start("ChatSession/send", {
    parent: parseTraceparent(tp),
    kind: "server",
    attrs: { "rpc.system": "cloudflare_durable_object", "rpc.service": "ChatSession", "rpc.method": "send", "chat.conversation": "main" },
  });
  const prompt = session.child("session.prompt");
  prompt.set({ "chat.prompt.tokens": 812, "chat.prompt.messages": 14, "chat.prompt.budget": 7680 });
  prompt.end();
  const llm = session.child("chat m", "client", {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "m",
    "gen_ai.request.max_tokens": 512,
  });
  sink += llm.traceparent().length;
  session.end();
  llm.event("first_token");
  llm.set({ "gen_ai.usage.input_tokens": 812, "gen_ai.usage.output_tokens": 300, "chat.reply.status": "complete" });
  llm.end();
  sink += JSON.stringify(toOtlpJson(resource, TRACE_SCOPE, call.take())).length;
}

function gatewayTurn(): void {
  const t = createTracer({ recording: true });
  const server = t.start("POST", { parent: parseTraceparent(`00-${"a".repeat(32)}-${"b".repeat(16)}-01`), kind: "server" });
  server.child("gateway.auth").end();
  const pool = server.child("gateway.pool", "internal", { "gen_ai.request.model": "m", "gateway.stream": true });
  const up = pool.child("gateway.upstream", "client", { "server.address": "10.0.0.1", "gateway.attempt": 1 });
  sink += up.traceparent().length;
  up.end();
  pool.set({ "gateway.pool": "p", "gen_ai.usage.output_tokens": 300, "gateway.outcome": "complete" });
  pool.end();
  server.end();
  sink += JSON.stringify(toOtlpJson(resource, TRACE_SCOPE, t.take())).length;
}

function measure(turn: () => void): number {
  for (let i = 0; i < 2000; i++) turn();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = cpuUs();
    for (let i = 0; i < TURNS; i++) turn();
    rounds.push((cpuUs() - start) / TURNS);
  }
  return percentile(rounds, 50);
}

const worker = measure(workerTurn);
const gateway = measure(gatewayTurn);
console.log("tracing, CPU per chat turn in Node (median of rounds):");
console.log(`  worker + session object: ${worker.toFixed(1)} µs (4 spans, 2 OTLP bodies)`);
console.log(`  gateway:                 ${gateway.toFixed(1)} µs (4 spans, 1 OTLP body)`);
if (sink < 0) console.log(sink);

const TURNS_EACH = Number(process.env.TRACE_BENCH_TURNS ?? 150);
const WORDS = Number(process.env.TRACE_BENCH_WORDS ?? 200);
const closers: (() => Promise<void>)[] = [];
try {
  const db = await createBenchDatabase(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  closers.push(db.drop);
  const llm = await startDevLlm({ wordDelayMs: 0 });
  closers.push(llm.close);
  // The collector in a process of its own, so receiving spans does not hold up this one's clock.
  const port = await freePort();
  const spansFile = join(tmpdir(), `bench-traces-${port}.jsonl`);
  const collector = spawn(process.execPath, ["--import", "tsx", "dev/trace-collector.ts"], {
    env: { ...process.env, OTEL_COLLECTOR_PORT: String(port), OTEL_COLLECTOR_FILE: spansFile },
    stdio: ["ignore", "pipe", "inherit"],
  });
  closers.push(async () => {
    collector.kill();
    rmSync(spansFile, { force: true });
  });
  await new Promise((resolve) => collector.stdout.once("data", resolve));
  const collectorUrl = `http://127.0.0.1:${port}`;
  const common = { databaseUrl: db.url, redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", llmBaseUrl: llm.url };
  const sides = [] as { name: string; url: string; cpu: ReturnType<typeof cpuMeter> }[];
  for (const [name, env] of [
    ["traced", { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl }],
    ["untraced", {}],
  ] as const) {
    const before = new Set(childPids("workerd"));
    const stack = await startService({ ...common, env });
    closers.push(stack.close);
    sides.push({ name, url: stack.url, cpu: cpuMeter(childPids("workerd").filter((p) => !before.has(p))) });
  }
  const chats = await Promise.all(
    sides.map(async (side) => {
      const user = await registerUser(side.url);
      return { token: user.token, characterId: await createCharacter(side.url, user, side.name) };
    }),
  );
  const samples = sides.map(() => ({ ttft: [] as number[], total: [] as number[], cpu: [] as number[] }));
  for (let i = 0; i < TURNS_EACH + 10; i++) {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const turn = await cpuOf(sides[k].cpu, () =>
        send("POST", `${sides[k].url}/api/chats/${chats[k].characterId}/messages`, {
          headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${chats[k].token}` },
          body: JSON.stringify({ content: `[[long:${WORDS}]] turn ${i}` }),
          probe: serviceFirstToken(),
        }),
      );
      if (turn.value.status !== 200 || turn.value.firstMs === null) throw new Error(`${sides[k].name}: ${turn.value.status}`);
      if (i < 10) continue; // warm-up
      samples[k].ttft.push(turn.value.firstMs);
      samples[k].total.push(turn.value.totalMs);
      if (turn.cpuMs !== null) samples[k].cpu.push(turn.cpuMs);
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  const traces = new Set(
    readFileSync(spansFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => flattenOtlp(JSON.parse(line)).map((s) => s.traceId)),
  ).size;
  console.log(`\nin workerd, ${TURNS_EACH} streamed turns of ${WORDS} words per side, alternating (p50 / p90, ms):`);
  console.log("| side | TTFT | whole stream | workerd CPU per turn |");
  console.log("| --- | ---: | ---: | ---: |");
  sides.forEach((side, k) => {
    const s = samples[k];
    const f = (v: number[]) => `${percentile(v, 50).toFixed(2)} / ${percentile(v, 90).toFixed(2)}`;
    console.log(`| ${side.name} | ${f(s.ttft)} | ${f(s.total)} | ${s.cpu.length ? f(s.cpu) : "n/a"} |`);
  });
  console.log(`(the collector received ${traces} traces)`);
} finally {
  closeClient();
  for (const close of closers.reverse()) await close().catch(() => {});
}

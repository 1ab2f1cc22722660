/**
 * Turns samples into the results (JSON) and the printed markdown: absolute
 * figures per path, the added figures (paired per turn: service or proxy
 * minus direct on the same prompt), CPU per turn, the ratios and the
 * targets. Pure.
 */
import type { Layer } from "./breakdown";
import { pairedDiff, ratio, type Summary, summarize, type Verdict, verdict } from "./stats";
import type { Mode, TurnSample } from "./turns";

export interface Scenario {
  name: string;
  mode: Mode;
  direct: Summary;
  proxy: Summary;
  service: Summary;
  /** Per-turn proxy − direct. */
  proxyAdded: Summary;
  /** Per-turn service − direct. */
  serviceAdded: Summary;
  /** The same prompts through Portkey, and per turn Portkey − direct; null when not replayed there. */
  portkey: Summary | null;
  portkeyAdded: Summary | null;
  portkeyCpu: Summary | null;
  /** CPU ms per turn of workerd and per request of the proxy process; null without /proc. */
  serviceCpu: Summary | null;
  proxyCpu: Summary | null;
  promptMessages: { min: number; max: number };
}

export interface Check {
  name: string;
  value: number;
  unit: "ms" | "×";
  target: string;
  verdict: Verdict | "info";
}

export interface RunInfo {
  at: string;
  cores: number;
  node: string;
  durationS: number;
  /** 1-minute load average when the run started and ended. */
  load: [number, number];
  /** Which worker build was measured, in words. */
  worker: string;
}

export const TARGETS = { addedP50Ms: 1.5, addedP99Ms: 5, sizeRatio: 1.1, memoryExtraMs: 2 } as const;

const present = (values: (number | null)[]): number[] | null => (values.every((v) => v !== null) ? (values as number[]) : null);

export function scenario(name: string, mode: Mode, samples: TurnSample[]): Scenario {
  const col = (k: "service" | "direct" | "proxy") => samples.map((s) => s[k]);
  const serviceCpu = present(samples.map((s) => s.serviceCpuMs));
  const proxyCpu = present(samples.map((s) => s.proxyCpuMs));
  const portkey = present(samples.map((s) => s.portkey));
  const portkeyCpu = present(samples.map((s) => s.portkeyCpuMs));
  const sizes = samples.map((s) => s.promptMessages);
  return {
    name,
    mode,
    direct: summarize(col("direct")),
    proxy: summarize(col("proxy")),
    service: summarize(col("service")),
    proxyAdded: summarize(pairedDiff(col("proxy"), col("direct"))),
    serviceAdded: summarize(pairedDiff(col("service"), col("direct"))),
    portkey: portkey && summarize(portkey),
    portkeyAdded: portkey && summarize(pairedDiff(portkey, col("direct"))),
    portkeyCpu: portkeyCpu && summarize(portkeyCpu),
    serviceCpu: serviceCpu && summarize(serviceCpu),
    proxyCpu: proxyCpu && summarize(proxyCpu),
    promptMessages: { min: Math.min(...sizes), max: Math.max(...sizes) },
  };
}

const info = (name: string, value: number, unit: Check["unit"], target: string): Check => ({ name, value, unit, target, verdict: "info" });

/** The targets and ratios: `hot` is the streaming hot session, `small`/`large` the 10 and 10,000 stored. */
export function checks(hot: Scenario, json: Scenario, small: Scenario, large: Scenario): Check[] {
  const sizeRatio = ratio(large.serviceAdded.p50, small.serviceAdded.p50);
  return [
    {
      name: "added TTFT p50, hot session",
      value: hot.serviceAdded.p50,
      unit: "ms",
      target: `≤ ${TARGETS.addedP50Ms} ms`,
      verdict: verdict(hot.serviceAdded.p50, TARGETS.addedP50Ms),
    },
    {
      name: "added TTFT p99, hot session",
      value: hot.serviceAdded.p99,
      unit: "ms",
      target: `≤ ${TARGETS.addedP99Ms} ms`,
      verdict: verdict(hot.serviceAdded.p99, TARGETS.addedP99Ms),
    },
    {
      name: "added TTFT p50, 10,000 vs 10 stored",
      value: sizeRatio,
      unit: "×",
      target: `≤ ${TARGETS.sizeRatio}×`,
      verdict: verdict(sizeRatio, TARGETS.sizeRatio),
    },
    info("added TTFT p99, 10,000 vs 10 stored", ratio(large.serviceAdded.p99, small.serviceAdded.p99), "×", "(p50 is the target)"),
    info(
      "workerd CPU per turn (mean), 10,000 vs 10 stored",
      ratio(large.serviceCpu?.mean ?? Number.NaN, small.serviceCpu?.mean ?? Number.NaN),
      "×",
      "(load-independent)",
    ),
    info("service added / proxy added, TTFT p50", ratio(hot.serviceAdded.p50, hot.proxyAdded.p50), "×", "(floor = 1×)"),
    info(
      "service added / Portkey added, TTFT p50",
      ratio(hot.serviceAdded.p50, hot.portkeyAdded?.p50 ?? Number.NaN),
      "×",
      "(< 1× is faster)",
    ),
    info("service added / proxy added, TTFT p99", ratio(hot.serviceAdded.p99, hot.proxyAdded.p99), "×", "(floor = 1×)"),
    info(
      "workerd CPU per turn / proxy CPU per request (means), hot",
      ratio(hot.serviceCpu?.mean ?? Number.NaN, hot.proxyCpu?.mean ?? Number.NaN),
      "×",
      "(load-independent)",
    ),
    info("added full-answer latency p50, JSON", json.serviceAdded.p50, "ms", "(no target)"),
    info("service added / proxy added, JSON p50", ratio(json.serviceAdded.p50, json.proxyAdded.p50), "×", "(floor = 1×)"),
  ];
}

/** Issue target: memory and recall add at most 2 ms of TTFT over the plain path at 10,000 stored. */
export function memoryCheck(plain: Scenario, memory: Scenario): Check {
  const extra = memory.serviceAdded.p50 - plain.serviceAdded.p50;
  return {
    name: "added TTFT p50, memories + recall minus plain, 10,000 stored",
    value: extra,
    unit: "ms",
    target: `≤ ${TARGETS.memoryExtraMs} ms`,
    verdict: verdict(extra, TARGETS.memoryExtraMs),
  };
}

const ms = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(2) : "n/a");
const pair = (s: Summary | null) => (s ? `${ms(s.p50)} / ${ms(s.p99)}` : "—");
const fig = (c: Check) => (Number.isFinite(c.value) ? (c.unit === "ms" ? `${c.value.toFixed(2)} ms` : `${c.value.toFixed(2)}×`) : "n/a");

export function markdown(
  run: RunInfo,
  scenarios: Scenario[],
  results: Check[],
  layers: Layer[],
  coldFirstTurns: { name: string; ttftMs: number; directMs: number }[],
): string {
  const out: string[] = [];
  out.push(
    `## npm run bench — ${run.at}, ${run.cores} cores, Node ${run.node}, ${run.durationS.toFixed(1)} s, ` +
      `load average ${run.load[0].toFixed(1)} → ${run.load[1].toFixed(1)}`,
    "",
    `Worker: ${run.worker}.`,
    "",
  );
  if (Math.max(...run.load) > run.cores) {
    out.push(
      `> The machine was busy (load above ${run.cores}): wall-clock figures include waiting for a core; the CPU columns do not.`,
      "",
    );
  }
  out.push("### Latency (ms, p50 / p99): TTFT when streaming, the full answer for JSON", "");
  out.push("| scenario | metric | n | prompt msgs | direct | proxy | Portkey | service |", "|---|---|--:|--:|--:|--:|--:|--:|");
  for (const s of scenarios) {
    out.push(
      `| ${s.name} | ${s.mode === "stream" ? "TTFT" : "full answer"} | ${s.service.n} | ${s.promptMessages.min}–${s.promptMessages.max} | ` +
        `${pair(s.direct)} | ${pair(s.proxy)} | ${pair(s.portkey)} | ${pair(s.service)} |`,
    );
  }
  out.push("", "### Added over direct (ms, p50 / p99 of the per-turn difference on the same prompt) and CPU (ms, mean)", "");
  out.push(
    "| scenario | proxy added | Portkey added | **service added** | service/proxy added p50 | workerd CPU per turn | proxy CPU per request | Portkey CPU per request |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
  );
  for (const s of scenarios) {
    out.push(
      `| ${s.name} | ${pair(s.proxyAdded)} | ${pair(s.portkeyAdded)} | **${pair(s.serviceAdded)}** | ` +
        `${ratio(s.serviceAdded.p50, s.proxyAdded.p50).toFixed(2)}× | ${ms(s.serviceCpu?.mean)} | ${ms(s.proxyCpu?.mean)} | ${s.portkeyCpu ? ms(s.portkeyCpu.mean) : "—"} |`,
    );
  }
  out.push("", "### Targets and ratios", "", "| check | value | target | verdict |", "|---|--:|---|---|");
  for (const c of results) out.push(`| ${c.name} | ${fig(c)} | ${c.target} | ${c.verdict === "info" ? "–" : `**${c.verdict}**`} |`);
  out.push(
    "",
    "### First turn of a seeded session (loads its window from PostgreSQL; not in the figures above)",
    "",
    "| session | service TTFT | direct TTFT |",
    "|---|--:|--:|",
  );
  for (const c of coldFirstTurns) out.push(`| ${c.name} | ${ms(c.ttftMs)} | ${ms(c.directMs)} |`);
  out.push(
    "",
    "### Where the time goes: requests that stop at successive layers (ms, full round trip)",
    "",
    "| request | adds | p50 | p99 | Δp50 (its cost) | CPU per request (mean) | ΔCPU |",
    "|---|---|--:|--:|--:|--:|--:|",
  );
  for (const l of layers) {
    const before = layers.find((b) => b.name === l.after);
    const delta = before ? `${ms(l.summary.p50 - before.summary.p50)} (vs ${before.name})` : "";
    const cpuDelta = before?.cpu && l.cpu ? ms(l.cpu.mean - before.cpu.mean) : "";
    out.push(`| ${l.name} | ${l.adds} | ${ms(l.summary.p50)} | ${ms(l.summary.p99)} | ${delta} | ${ms(l.cpu?.mean)} | ${cpuDelta} |`);
  }
  return out.join("\n");
}

/**
 * The concurrency benchmark's tables, pure: one per N (each path against
 * the direct path and the pass-throughs, measured in the same run) and the
 * goal rows of issue 13 with their verdicts.
 */
import { ratio, type Summary, verdict } from "./stats";
import type { PathFigures } from "./stream-stats";

export type PathName =
  | "direct"
  | "node pass-through"
  | "workerd pass-through"
  | "workerd JS relay"
  | "workerd DO relay"
  | "Portkey 1.15"
  | "service"
  | "service, baseline bundle";

export interface PathRun extends PathFigures {
  path: PathName;
  /** CPU µs per upstream frame of the process serving this path (NaN for direct or without /proc). */
  cpuPerFrameUs: number;
}

export interface ConcurrencyRun {
  n: number;
  paths: PathRun[];
}

/** The quiet single-stream figures (ms), each the service minus the direct path on the same prompt. */
export interface QuietFigures {
  added: Summary;
  /** First turn of a conversation whose object is new and whose history is only in PostgreSQL. */
  coldAdded: Summary;
  /** The second turn of the same conversations. */
  warmAdded: Summary;
  /** workerd's resident memory grown per conversation object opened (KiB), with its message count. */
  kbPerConversation: number;
  messagesPerConversation: number;
  /** The same first-token measure for the workerd DO relay (worker → Durable Object → upstream, doing nothing else); null when not run. */
  floorAdded: Summary | null;
}

export const GOALS = {
  cpuPerFrameUs: 70,
  /** CPU per frame against the workerd pass-through's and Portkey's, at N = 100. */
  cpuOverWorkerd: 1.5,
  cpuOverPortkey: 0.4,
  gapP99Pacings: 2,
  failuresAt200: 0,
  addedP50Ms: 3,
  addedP99Ms: 8,
  coldOverWarmMs: 8,
  kbPerConversation: 300,
} as const;

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "—");
const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "—");
const times = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "—");

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

/** One N's table: CPU per frame, gaps, stalls beyond direct, failures, first token; ratios to the baselines. */
export function runTable(run: ConcurrencyRun, pacingMs: number): string {
  const direct = run.paths.find((p) => p.path === "direct");
  const workerd = run.paths.find((p) => p.path === "workerd pass-through");
  const lines = [
    `### N = ${run.n} concurrent replies (pacing ${pacingMs} ms; stall = gap > ${2 * pacingMs} ms)`,
    "",
    row([
      "path",
      "CPU µs/frame",
      "× workerd pass-through",
      "gap p50 / p99 / max ms",
      "gap p99 × direct",
      "stalls",
      "beyond direct",
      "failures",
      "first token p50 / p99 ms",
    ]),
    row(["---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:"]),
  ];
  for (const p of run.paths) {
    lines.push(
      row([
        p.path,
        f0(p.cpuPerFrameUs),
        p.path === "direct" ? "—" : times(ratio(p.cpuPerFrameUs, workerd?.cpuPerFrameUs ?? Number.NaN)),
        `${f1(p.gaps.p50)} / ${f1(p.gaps.p99)} / ${f1(p.gaps.max)}`,
        times(ratio(p.gaps.p99, direct?.gaps.p99 ?? Number.NaN)),
        String(p.stalls),
        direct ? String(Math.max(0, p.stalls - direct.stalls)) : "—",
        `${p.failures}/${p.streams}`,
        `${f1(p.firstToken.p50)} / ${f1(p.firstToken.p99)}`,
      ]),
    );
  }
  return lines.join("\n");
}

export interface GoalRow {
  goal: string;
  measured: string;
  /** What the same measure reads in this run for the platform alone (the workerd DO relay), where it was taken. */
  floor?: string;
  verdict: "PASS" | "MISS" | "n/a";
}

/** The goals against this run. */
export function goalRows(runs: readonly ConcurrencyRun[], quiet: QuietFigures | null, pacingMs: number): GoalRow[] {
  const at = (n: number, name: PathName) => runs.find((r) => r.n === n)?.paths.find((p) => p.path === name);
  const service = (n: number) => at(n, "service");
  const direct = (n: number) => at(n, "direct");
  const relay = (n: number, figure: (p: PathRun) => string) => {
    const p = at(n, "workerd DO relay");
    return p ? { floor: `DO relay ${figure(p)}` } : {};
  };
  const out: GoalRow[] = [];
  const s100 = service(100);
  out.push(
    s100
      ? {
          goal: `service CPU per frame ≤ ${GOALS.cpuPerFrameUs} µs at N = 100`,
          measured: `${f0(s100.cpuPerFrameUs)} µs`,
          ...relay(100, (p) => `${f0(p.cpuPerFrameUs)} µs`),
          verdict: verdict(s100.cpuPerFrameUs, GOALS.cpuPerFrameUs),
        }
      : { goal: "service CPU per frame at N = 100", measured: "not run", verdict: "n/a" },
  );
  for (const [name, limit] of [
    ["workerd pass-through", GOALS.cpuOverWorkerd],
    ["Portkey 1.15", GOALS.cpuOverPortkey],
  ] as const) {
    const other = at(100, name);
    if (!s100 || !other) continue;
    const r = ratio(s100.cpuPerFrameUs, other.cpuPerFrameUs);
    out.push({
      goal: `service CPU per frame ≤ ${limit}× ${name}'s at N = 100`,
      measured: `${times(r)} (${f0(s100.cpuPerFrameUs)} / ${f0(other.cpuPerFrameUs)} µs)`,
      ...relay(100, (p) => times(ratio(p.cpuPerFrameUs, other.cpuPerFrameUs))),
      verdict: Number.isFinite(r) ? verdict(r, limit) : "n/a",
    });
  }
  for (const n of [100, 200]) {
    const s = service(n);
    const d = direct(n);
    const limit = GOALS.gapP99Pacings * pacingMs;
    if (!s || !d) continue;
    const directHolds = d.gaps.p99 <= limit;
    out.push({
      goal: `gap p99 ≤ ${limit} ms at N = ${n} (where direct holds it)`,
      measured: `${f1(s.gaps.p99)} ms (direct ${f1(d.gaps.p99)} ms)`,
      ...relay(n, (p) => `${f1(p.gaps.p99)} ms`),
      verdict: directHolds ? verdict(s.gaps.p99, limit) : "n/a",
    });
  }
  const s200 = service(200);
  if (s200) out.push({ goal: "0 failures at N = 200", measured: `${s200.failures}/${s200.streams}`, verdict: verdict(s200.failures, 0) });
  if (quiet) {
    out.push(
      {
        goal: `first token added p50 ≤ ${GOALS.addedP50Ms} ms (quiet)`,
        measured: `${f1(quiet.added.p50)} ms`,
        ...(quiet.floorAdded ? { floor: `DO relay ${f1(quiet.floorAdded.p50)} ms` } : {}),
        verdict: verdict(quiet.added.p50, GOALS.addedP50Ms),
      },
      {
        goal: `first token added p99 ≤ ${GOALS.addedP99Ms} ms (quiet)`,
        measured: `${f1(quiet.added.p99)} ms`,
        ...(quiet.floorAdded ? { floor: `DO relay ${f1(quiet.floorAdded.p99)} ms` } : {}),
        verdict: verdict(quiet.added.p99, GOALS.addedP99Ms),
      },
      {
        goal: `cold conversation ≤ warm + ${GOALS.coldOverWarmMs} ms (p50 added)`,
        measured: `cold ${f1(quiet.coldAdded.p50)} / warm ${f1(quiet.warmAdded.p50)} ms`,
        verdict: verdict(quiet.coldAdded.p50 - quiet.warmAdded.p50, GOALS.coldOverWarmMs),
      },
      {
        goal: `memory per idle conversation ≤ ${GOALS.kbPerConversation} KB`,
        measured: `${f0(quiet.kbPerConversation)} KB (${quiet.messagesPerConversation} messages each)`,
        verdict: verdict(quiet.kbPerConversation, GOALS.kbPerConversation),
      },
    );
  }
  return out;
}

export function goalTable(rows: readonly GoalRow[]): string {
  return [
    row(["goal", "measured", "the platform alone, same run", "verdict"]),
    row(["---", "--:", "--:", "---"]),
    ...rows.map((r) => row([r.goal, r.measured, r.floor ?? "—", r.verdict])),
  ].join("\n");
}

/**
 * Reads a V8 CPU profile of the worker bundle: self time per source module
 * (from the `// path` markers esbuild writes before each module) and per
 * function. Pure.
 */

/** The parts of a V8 `Profiler.Profile` this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  sampledMs: number;
  /** Sampled time outside idle. */
  busyMs: number;
  byModule: SelfTime[];
  byFunction: SelfTime[];
  /** Functions of the app (worker/ modules) by inclusive time: themselves and all they call. */
  appInclusive: SelfTime[];
}

/** [first line, module] of each module in an esbuild bundle, in order (lines 0-based). */
export function moduleLines(bundle: string): [number, string][] {
  const out: [number, string][] = [];
  bundle.split("\n").forEach((line, i) => {
    const m = /^\/\/ ((?:node_modules|worker|dev)\/\S+)$/.exec(line);
    if (m) out.push([i, m[1]]);
  });
  return out;
}

function moduleAt(lines: [number, string][], line: number): string {
  let lo = 0;
  let hi = lines.length - 1;
  let found = "(bundle prelude)";
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid][0] <= line) {
      found = lines[mid][1];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  // Group dependencies by package: node_modules/<pkg>/… or node_modules/@scope/<pkg>/…
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(found);
  return pkg ? `npm:${pkg[1]}` : found;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[sorted.length >> 1] : 0;
}

function top(map: Map<string, number>, total: number, limit: number): SelfTime[] {
  return [...map]
    .map(([name, ms]) => ({ name, ms, share: total > 0 ? ms / total : 0 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, limit);
}

/**
 * Self time by module and function. Frames outside the bundle keep their
 * V8 names ("(garbage collector)", "(program)", built-ins), "(idle)" is
 * left out of the busy time.
 */
export function summarizeProfile(profile: CpuProfile, bundleUrlPart: string, bundle: string, limit = 15): ProfileSummary {
  const lines = moduleLines(bundle);
  const selfMs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    // V8 samples only while the isolate is in use: while workerd waits for I/O it takes none, and the time to the next
    // sample holds the wait. So a sample counts for at most twice the usual interval.
    const cap = 2 * median(profile.timeDeltas.slice(1));
    for (const [i, nodeId] of profile.samples.entries())
      selfMs.set(nodeId, (selfMs.get(nodeId) ?? 0) + Math.min(profile.timeDeltas[i + 1] ?? 0, cap) / 1000);
  } else {
    const per =
      (profile.endTime - profile.startTime) /
      1000 /
      Math.max(
        1,
        profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0),
      );
    for (const n of profile.nodes) selfMs.set(n.id, (n.hitCount ?? 0) * per);
  }
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const where = (node: CpuProfile["nodes"][number]) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const inBundle = url.includes(bundleUrlPart);
    const module = inBundle ? moduleAt(lines, lineNumber) : url ? url : functionName.startsWith("(") ? functionName : "(native / built-in)";
    return { module, fn: `${functionName || "(anonymous)"} ${module}${inBundle ? `:${lineNumber + 1}` : ""}` };
  };
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0 || node.callFrame.functionName === "(idle)") continue;
    busy += ms;
    const { module, fn } = where(node);
    byModule.set(module, (byModule.get(module) ?? 0) + ms);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    // Each app function on this node's stack, once (recursion counts once).
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id);
      if (!frame) break;
      const at = where(frame);
      if (at.module.startsWith("worker/") && !seen.has(at.fn)) {
        seen.add(at.fn);
        inclusive.set(at.fn, (inclusive.get(at.fn) ?? 0) + ms);
      }
    }
  }
  return {
    sampledMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busy,
    byModule: top(byModule, busy, limit),
    byFunction: top(byFunction, busy, limit),
    appInclusive: top(inclusive, busy, limit * 2),
  };
}

/** Self or inclusive times as a markdown table. */
export const selfTimeTable = (title: string, rows: SelfTime[]): string =>
  [
    `| ${title} | ms | share of busy |`,
    "|---|--:|--:|",
    ...rows.map((r) => `| ${r.name} | ${r.ms.toFixed(1)} | ${(r.share * 100).toFixed(1)}% |`),
  ].join("\n");

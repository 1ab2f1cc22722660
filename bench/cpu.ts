/**
 * CPU time of the processes under test, read from Linux /proc: the sum of
 * every thread's on-CPU nanoseconds (schedstat). Wall-clock latency on a
 * busy shared machine mostly measures the queue for a core; CPU per turn
 * is what the service itself costs, whatever else runs.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Reads a process's CPU time in milliseconds; null once it is gone or without /proc. */
export type CpuMeter = () => number | null;

/** CPU milliseconds of all live threads of the `pids` (threads that exited are not counted); null for no pids. */
export function cpuMeter(pids: number[]): CpuMeter | null {
  if (pids.length === 0) return null;
  return () => {
    let ns = 0;
    for (const pid of pids) {
      let tasks: string[];
      try {
        tasks = readdirSync(`/proc/${pid}/task`);
      } catch {
        return null;
      }
      for (const task of tasks) {
        try {
          ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
        } catch {
          // The thread ended between the listing and the read.
        }
      }
    }
    return ns / 1e6;
  };
}

/** Pids of this process's children whose command line contains `name`. */
export function childPids(name: string): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return found;
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the command, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(name)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** The change of `meter` across `fn`, in ms (null without /proc). */
export async function cpuOf<T>(meter: CpuMeter | null, fn: () => Promise<T>): Promise<{ value: T; cpuMs: number | null }> {
  const before = meter?.() ?? null;
  const value = await fn();
  const after = meter?.() ?? null;
  return { value, cpuMs: before === null || after === null ? null : after - before };
}

/**
 * Waits until the processes behind `meter` are idle (under `idleShare` of a
 * core over a quarter second), at most `maxMs`: work a turn leaves behind
 * (an index being filled) is not measured as the next turns' cost.
 */
export async function settle(meter: CpuMeter | null, maxMs = 60_000, idleShare = 0.05): Promise<void> {
  if (!meter) return;
  const step = 250;
  for (let waited = 0; waited < maxMs; waited += step) {
    const before = meter();
    await new Promise((r) => setTimeout(r, step));
    const after = meter();
    if (before === null || after === null || after - before < step * idleShare) return;
  }
}

/**
 * The concurrency benchmark's other processes: the development LLM in a
 * process of its own (so the client reading hundreds of streams never
 * delays its pacing), and a workerd pass-through (a worker that fetches the
 * upstream and returns its body untouched, in miniflare as the service runs)
 * that is the floor for what workerd itself costs per frame.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { COMPATIBILITY_DATE } from "../dev/stack";
import { childPids } from "./cpu";

export interface Process {
  /** Base URL with `/v1`. */
  url: string;
  pids: number[];
  close(): Promise<void>;
}

/** The development LLM pacing `wordDelayMs` between words, in its own Node process. */
export function spawnDevLlm(wordDelayMs: number): Promise<Process> {
  const script = fileURLToPath(new URL("../dev/dev-llm.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, DEV_LLM_PORT: "0", DEV_LLM_WORD_DELAY_MS: String(wordDelayMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise<Process>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`development LLM exited early (code ${code})`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const url = /listening on (\S+)/.exec(line)?.[1];
      if (!url) return;
      resolve({
        url,
        pids: child.pid ? [child.pid] : [],
        close: async () => {
          if (child.exitCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}

const PASSTHROUGH = `export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.UPSTREAM + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
  },
};`;

/** A worker that passes every request to `upstreamBase`'s origin and its answer back untouched. */
export async function startWorkerdPassthrough(upstreamBase: string): Promise<Process> {
  const before = new Set(childPids("workerd"));
  const upstream = new URL(upstreamBase);
  const mf = new Miniflare({
    modules: true,
    script: PASSTHROUGH,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { UPSTREAM: upstream.origin },
    host: "127.0.0.1",
    port: 0,
  });
  const origin = (await mf.ready).toString().replace(/\/$/, "");
  return {
    url: `${origin}${upstream.pathname.replace(/\/$/, "")}`,
    pids: childPids("workerd").filter((p) => !before.has(p)),
    close: () => mf.dispose(),
  };
}

/** Resident memory of the `pids` in KiB (0 without /proc). */
export function rssKb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      kb += m ? Number(m[1]) : 0;
    } catch {
      // Gone, or no /proc.
    }
  }
  return kb;
}

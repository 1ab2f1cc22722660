/**
 * The benchmarks' other processes: the development LLM in a process of its
 * own (so the client reading hundreds of streams never delays its pacing),
 * the local PostgreSQL pool likewise (its relaying never delays the client
 * measuring), and a workerd pass-through (a worker that fetches the
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
  /** Where it listens (the LLM: its base URL with `/v1`). */
  url: string;
  pids: number[];
  close(): Promise<void>;
}

/** The development LLM pacing `wordDelayMs` between words, in its own Node process. */
export function spawnDevLlm(wordDelayMs: number): Promise<Process> {
  return spawnServer("../dev/dev-llm.ts", [], { DEV_LLM_PORT: "0", DEV_LLM_WORD_DELAY_MS: String(wordDelayMs) });
}

/** The local PostgreSQL pool (`dev/pg-pool.ts`) in front of `databaseUrl`, in its own Node process. */
export function spawnPgPool(databaseUrl: string): Promise<Process> {
  return spawnServer("../dev/pg-pool.ts", [databaseUrl], {});
}

/** A dev server run as a script, once it prints "listening on <url>". */
function spawnServer(path: string, args: string[], env: Record<string, string>): Promise<Process> {
  const script = fileURLToPath(new URL(path, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise<Process>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${path} exited early (code ${code})`)));
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
  return startScript(PASSTHROUGH, upstreamBase, {});
}

/** Runs `script` in its own workerd with `UPSTREAM` bound to `upstreamBase`'s origin; its URL keeps the base's path. */
async function startScript(
  script: string,
  upstreamBase: string,
  extra: { bindings?: Record<string, string>; durableObjects?: Record<string, string> },
): Promise<Process> {
  const before = new Set(childPids("workerd"));
  const upstream = new URL(upstreamBase);
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { UPSTREAM: upstream.origin, ...extra.bindings },
    ...(extra.durableObjects ? { durableObjects: extra.durableObjects } : {}),
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

const RELAY = `import { DurableObject } from "cloudflare:workers";
// Reads the upstream body in JavaScript, chunk by chunk, into a native pipe (as the session object does).
function relay(res) {
  const reader = res.body.getReader();
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      writer.write(value);
    }
    writer.close();
  })().catch(() => writer.abort());
  return readable;
}
export class Relay extends DurableObject {
  async open(url, method, headers, body) {
    return relay(await fetch(url, { method, headers, body }));
  }
}
export default {
  async fetch(request, env) {
    const url = env.UPSTREAM + new URL(request.url).pathname;
    const headers = { "content-type": "application/json", accept: "text/event-stream" };
    const body = await request.text();
    const stream = env.MODE === "do"
      ? await env.RELAY.get(env.RELAY.idFromName(crypto.randomUUID())).open(url, request.method, headers, body)
      : relay(await fetch(url, { method: request.method, headers, body }));
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  },
};`;

/**
 * The service's streaming path without the service: a worker that reads the
 * upstream body in JavaScript and relays each chunk through a native pipe,
 * in the worker itself (`js`) or in a Durable Object per request whose
 * stream crosses back to the worker over RPC (`do`). Between the workerd
 * pass-through and the service, these say what JavaScript touching each
 * chunk costs and what the hop from the session object costs.
 */
export async function startWorkerdRelay(upstreamBase: string, mode: "js" | "do"): Promise<Process> {
  return startScript(RELAY, upstreamBase, { bindings: { MODE: mode }, durableObjects: { RELAY: "Relay" } });
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

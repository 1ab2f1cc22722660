/**
 * Runs `npm start` (dev/start.ts) as a child process in its own process
 * group, so a test can stop it, or kill it outright with everything it
 * started (workerd included), and start it again over the same data.
 */
import { spawn } from "node:child_process";

export interface Launched {
  url: string;
  log: string[];
  /** SIGTERM: a clean stop. */
  stop(): Promise<void>;
  /** SIGKILL to the whole group: a crash. */
  kill(): Promise<void>;
}

/** `env` is the whole environment the launcher sees besides PATH-like basics. */
export async function launch(env: Record<string, string>): Promise<Launched> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|LLM_|AUTH_SECRET|TUNNEL_|DATA_DIR|PORT|DEV_LLM)/.test(k)) base[k] = v;
  }
  const child = spawn(process.execPath, ["--import", "tsx", "dev/start.ts"], {
    env: { ...base, PORT: "0", DEV_LLM_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${log.join("")}`)), 90_000);
    const onData = (chunk: Buffer) => {
      log.push(chunk.toString());
      const m = /serving on (http:\/\/\S+)/.exec(log.join(""));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited ${code}:\n${log.join("")}`)));
  });
  const signal = async (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
    await exited;
  };
  return { url, log, stop: () => signal("SIGTERM"), kill: () => signal("SIGKILL") };
}

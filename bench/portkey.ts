/**
 * Portkey's AI gateway (`@portkey-ai/gateway` 1.15, the version the issue
 * measured, a development dependency for the benchmarks only) in its own
 * Node process, in front of an OpenAI-compatible upstream: the gateway
 * people would otherwise put in front of an LLM, measured in the same run.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../dev/free-port";
import type { Process } from "./processes";

export interface Portkey extends Process {
  /** Headers every request needs: the provider and the upstream it should call. */
  headers: Record<string, string>;
}

const gatewayDir = dirname(createRequire(import.meta.url).resolve("@portkey-ai/gateway/package.json"));

/** Portkey listening on loopback, routing OpenAI requests to `upstreamBase` (with `/v1`). */
export async function spawnPortkey(upstreamBase: string): Promise<Portkey> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      "--import",
      fileURLToPath(new URL("./portkey-fetch.mjs", import.meta.url)),
      join(gatewayDir, "build/start-server.js"),
      `--port=${port}`,
      "--headless",
    ],
    { env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  // It prints a banner after a one-second spinner; ready is when it answers.
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`Portkey exited early (code ${child.exitCode})`);
    const ok = await fetch(`${origin}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (tries > 150) throw new Error("Portkey did not answer within 15 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `${origin}/v1`,
    pids: child.pid ? [child.pid] : [],
    headers: { "x-portkey-provider": "openai", "x-portkey-custom-host": upstreamBase, authorization: "Bearer development" },
    close: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

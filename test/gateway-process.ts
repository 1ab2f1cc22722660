/**
 * The gateway as its own process (`npm run gateway`), on a free port, with
 * the worker's public keys and a pools file pointing at the given upstream.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JSONWebKeySet } from "jose";
import { freePort } from "../dev/free-port";

export interface GatewayProcess {
  url: string;
  /** Every line it wrote so far. */
  output(): string;
  close(): void;
}

export async function startGatewayProcess(opts: {
  jwks: JSONWebKeySet;
  upstream: string;
  env?: Record<string, string>;
}): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), "gateway-"));
  const pools = join(dir, "pools.json");
  writeFileSync(
    pools,
    JSON.stringify({
      pools: {
        dev: {
          type: "openai",
          models: ["*"],
          upstreams: [opts.upstream],
          retries: 0,
          timeouts: { firstTokenMs: 10000, idleMs: 10000, totalMs: 30000 },
        },
      },
    }),
  );
  const port = await freePort();
  const gateway: ChildProcess = spawn("npm", ["run", "gateway"], {
    env: {
      ...process.env,
      GATEWAY_PORT: String(port),
      // Its own metrics port too, so gateways of parallel test files never share 9464.
      GATEWAY_METRICS_PORT: "0",
      GATEWAY_JWKS: JSON.stringify(opts.jwks),
      GATEWAY_POOLS: pools,
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: npm does not pass a signal on to the gateway it started.
    detached: true,
  });
  let out = "";
  const onData = (b: Buffer) => {
    out += b.toString();
  };
  gateway.stdout!.on("data", onData);
  gateway.stderr!.on("data", onData);
  const close = () => {
    if (gateway.pid) process.kill(-gateway.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (out.includes("gateway_listening")) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > 30_000 || gateway.exitCode !== null) {
        clearInterval(poll);
        close();
        reject(new Error(`gateway did not start:\n${out}`));
      }
    }, 50);
  });
  return { url: `http://127.0.0.1:${port}`, output: () => out, close };
}

/**
 * Bundles the worker for workerd (the same shape wrangler produces): ESM,
 * Node built-ins left to nodejs_compat, and a `require` for the CommonJS
 * dependencies (ioredis) that call it.
 */
import { builtinModules } from "node:module";
import { build } from "esbuild";
import { writeAtomically } from "./publish";

export const WORKER_BUNDLE = ".build/worker.js";

/** Bundles `entry` for workerd into `outfile`, written by rename (a workerd starting meanwhile reads the old bundle or the new, never half of one). */
export async function bundleForWorkerd(entry: string, outfile: string, sourcemap = false): Promise<string> {
  const { outputFiles } = await build({
    write: false,
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*", ...builtinModules],
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire("/");' },
    outfile,
    sourcemap: sourcemap ? "linked" : false,
    logLevel: "warning",
  });
  for (const file of outputFiles) writeAtomically(file.path, file.contents);
  return outfile;
}

export const buildWorker = () => bundleForWorkerd("worker/index.ts", WORKER_BUNDLE, true);

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildWorker();
}

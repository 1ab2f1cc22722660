/**
 * A small worker written inline by a test (it imports our modules by
 * absolute path), bundled with esbuild and run in workerd: for a module
 * that only behaves truly inside workerd, such as a Durable Object's
 * sockets or SQLite.
 */
import { build } from "esbuild";
import { Miniflare, type MiniflareOptions } from "miniflare";
import { COMPATIBILITY_DATE } from "../dev/stack";

export async function startInlineWorker(
  entry: string,
  durableObjects: MiniflareOptions["durableObjects"],
): Promise<{ url: string; dispose(): Promise<void> }> {
  const { outputFiles } = await build({
    stdin: { contents: entry, loader: "js", resolveDir: process.cwd() },
    write: false,
    bundle: true,
    format: "esm",
    platform: "neutral",
    external: ["cloudflare:*"],
  });
  const mf = new Miniflare({ modules: true, script: outputFiles[0].text, compatibilityDate: COMPATIBILITY_DATE, durableObjects });
  return { url: (await mf.ready).toString(), dispose: () => mf.dispose() };
}

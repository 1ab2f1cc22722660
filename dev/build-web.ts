/** Builds the web client into web/dist (served by the worker as static assets). */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "vite";
import { publishDirectory } from "./publish";

export async function buildWeb(): Promise<void> {
  if (!existsSync("web/vite.config.ts")) return;
  // Built aside, then moved in file by file: a server reading web/dist meanwhile never finds it empty.
  const aside = resolve(`web/.dist-${process.pid}`);
  await build({ configFile: "web/vite.config.ts", logLevel: "warn", build: { outDir: aside, emptyOutDir: true } });
  publishDirectory(aside, resolve("web/dist"));
}

/** Builds the web client into web/dist (served by the worker as static assets). */
import { existsSync } from "node:fs";
import { build } from "vite";

export async function buildWeb(): Promise<void> {
  if (!existsSync("web/vite.config.ts")) return;
  await build({ configFile: "web/vite.config.ts", logLevel: "warn" });
}

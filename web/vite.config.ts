/** Vite build of the Solid client: `npx vite build --config web/vite.config.ts` → web/dist. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  plugins: [solid()],
  // The one large chunk is the tokenizer (cl100k), loaded only when a message nears the length limit.
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1024 },
  // In development the worker runs on :8787; the SPA proxies the API to it.
  server: { proxy: { "/api": "http://127.0.0.1:8787" } },
});

import { defineConfig } from "vitest/config";

const all = ["worker/**/*.test.ts", "dev/**/*.test.ts", "test/**/*.test.ts", "aks/**/*.test.ts", "bench/**/*.test.ts", "web/**/*.test.ts"];
/**
 * Tests that load the whole machine (hundreds of conversations against one PostgreSQL, bursts of parallel
 * requests each with its own connection, 50 chats on the embedded database): run alone, after the rest.
 */
const load = ["test/scale.test.ts", "test/login-races.test.ts", "test/embedded-concurrency.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "suite", include: all, exclude: load } },
      { extends: true, test: { name: "load", include: load, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});

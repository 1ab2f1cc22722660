import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["worker/**/*.test.ts", "dev/**/*.test.ts", "test/**/*.test.ts", "aks/**/*.test.ts", "bench/**/*.test.ts", "web/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});

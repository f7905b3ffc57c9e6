import { defineConfig } from "vitest/config";

// Native tests load the addon and JIT code into the worker: run them in forked processes
// so a native fault is contained to one file, and keep parallelism at the core count.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    globalSetup: ["test/global-setup.ts"],
  },
});

import { defineConfig } from "vitest/config";
import { excludesOf, PROJECTS } from "./test/projects.js";

// Native tests load the addon and JIT code into the worker: run them in forked processes
// so a native fault is contained to one file, and keep parallelism at the core count.
// Test files are split into projects by what they need (test/projects.ts); each project's
// global setup prepares only that (a project with no selected files runs no setup).
export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    projects: PROJECTS.map((p, i) => ({
      extends: true,
      test: {
        name: p.name,
        include: p.include,
        exclude: ["**/node_modules/**", ...excludesOf(i)],
        globalSetup: ["test/global-setup.ts"],
      },
    })),
  },
});

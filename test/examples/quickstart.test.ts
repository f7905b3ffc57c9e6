// The README's quick-start (`npm run quickstart`) runs as written: a cold run compiles,
// a second run in a new process is a cache hit that starts no compiler.
import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../cli/helpers.js";

let cacheDir: string;
beforeAll(() => {
  ensureBuilt();
  cacheDir = mkdtempSync(join(tmpdir(), "orcjit-quickstart-"));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const run = () =>
  execa(process.execPath, ["--import", pathToFileURL(join(repoRoot, "scripts/run-ts.mjs")).href, join(repoRoot, "examples/quickstart/run.ts")], { env: { ORCJIT_CACHE_DIR: cacheDir } });

it("compiles on the first run and hits the cache on the second", async () => {
  const cold = await run();
  expect(cold.stdout).toMatch(/^compiling .*main\.cpp/m);
  for (const line of ["add(40, 2)        = 42", "greet('orcjit')   = hello, orcjit!", "mean([1, 2, 3, 4]) = 2.5"]) {
    expect(cold.stdout).toContain(line);
  }
  expect(cold.stdout).toContain("greet('') threw FFIError (ValueError)");

  const warm = await run();
  expect(warm.stdout).not.toMatch(/^compiling/m);
  expect(warm.stdout).toContain("add(40, 2)        = 42");
});

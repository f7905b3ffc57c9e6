// Compiler identities are shared between cache directories through the default cache, and
// re-probed when the compiler binary changes.
import { appendFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { compileUnits, resetToolchainMemo } from "../../src/compiler/index.js";
import { cleanupTempDirs, copyFixtures, recordingCompiler, tempDir, TOOLCHAINS } from "./helpers.js";

afterAll(cleanupTempDirs);

it("a fresh cache directory reuses the identity probed for another one; a changed compiler is probed again", async () => {
  const fx = await copyFixtures();
  const xdg = await tempDir("orcjit-xdg-");
  const env = { ...process.env, XDG_CACHE_HOME: xdg, ORCJIT_CACHE_DIR: undefined };
  const cc = await recordingCompiler(fx, TOOLCHAINS[0].cc);
  const build = async (cacheDir: string) => {
    resetToolchainMemo(); // as a new process would start
    return compileUnits([{ source: join(fx, "add.c") }], { compiler: cc.path, cacheDir, env });
  };

  await build(await tempDir());
  const afterFirst = (await cc.invocations()).length;
  expect(afterFirst).toBeGreaterThanOrEqual(2); // probe + compile
  expect((await readdir(join(xdg, "tvm-ffi-orcjit", "v1", "toolchains"))).some((f) => !f.startsWith("include-"))).toBe(true);

  // Another empty cache directory: only the compile runs.
  await build(await tempDir());
  expect((await cc.invocations()).length).toBe(afterFirst + 1);

  // The compiler (here: the wrapper script) changes: its identity is probed again.
  await appendFile(cc.path, "# changed\n");
  await build(await tempDir());
  expect((await cc.invocations()).length).toBeGreaterThanOrEqual(afterFirst + 3);
});

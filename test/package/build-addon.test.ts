// orcjit build-addon without the tools it needs: one error naming what is missing and the
// Debian packages that provide it, before anything is built. (The successful source build of
// an installed package runs in consumer.test.ts.)
import { mkdirSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { orcjit, ensureBuilt, tempDir } from "../cli/helpers.js";

beforeAll(() => ensureBuilt());

it("names the missing cmake and C++ compiler and the packages that provide them", async () => {
  const dir = tempDir("orcjit-build-addon-");
  // a PATH with only node on it: no cmake, no ninja, no compilers
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, "node"));
  const r = await orcjit(["build-addon"], { cwd: dir, env: { PATH: bin, CXX: "no-such-c++" } });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain("cannot build the native addon: missing cmake (>= 3.20), a C++17 compiler (no-such-c++)");
  expect(r.stderr).toMatch(/apt-get install cmake g\+\+/);
  const json = await orcjit(["build-addon", "--json"], { cwd: dir, env: { PATH: bin, CXX: "no-such-c++" } });
  expect(json.exitCode).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: "ORCJIT_BUILD_ADDON" } });
});

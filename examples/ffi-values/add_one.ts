// Seed 002 ("Directly using Exported Library"): examples/cpp/add_one.cc, loaded two ways:
// the object through the JIT, and "mylib.so" (linked with the compiler) through dlopen.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundledIncludeDir, loadModule } from "tvm-ffi-orcjit";
import { compileExample, compiler, cppDir } from "./common.ts";

const fromObject = loadModule(await compileExample("add_one.cc"), { functions: ["add_one"] });
console.log(`[${compiler}] add_one(1) via JIT = ${fromObject.add_one(1)}`);
assert.equal(fromObject.add_one(1), 2);

// The shared-library path: TVMFFI* symbols resolve against the addon at dlopen time.
const dir = mkdtempSync(join(tmpdir(), "ffi-values-"));
try {
  const so = join(dir, "mylib.so");
  const cxx = compiler === "gcc" ? "g++" : "clang++-22";
  execFileSync(cxx, ["-std=c++17", "-shared", "-fPIC", "-O2", `-I${bundledIncludeDir()}`, join(cppDir, "add_one.cc"), "-o", so]);
  const fromShared = loadModule(so, { functions: ["add_one"] });
  console.log(`[${compiler}] add_one(41) via dlopen = ${fromShared.add_one(41)}`);
  assert.equal(fromShared.kind, "shared");
  assert.equal(fromShared.add_one(41), 42);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

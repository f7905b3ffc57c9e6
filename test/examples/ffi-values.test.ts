// The TypeScript twins of the seed C++ examples (examples/ffi-values/*.ts, run through
// scripts/run-ts.mjs as `npm run example` does; tsconfig.examples.json type-checks them) compile the
// sources in examples/cpp unchanged with clang-22 and g++ and check their results
// (node:assert inside each script; the printed lines are checked here).
import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../cli/helpers.js";

const EXAMPLES = join(repoRoot, "examples/ffi-values");
const RUN_TS = pathToFileURL(join(repoRoot, "scripts/run-ts.mjs")).href;
let cacheDir: string;

beforeAll(() => {
  ensureBuilt();
  cacheDir = mkdtempSync(join(tmpdir(), "orcjit-ffi-values-"));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

async function run(script: string, compiler: string): Promise<string> {
  const r = await execa(process.execPath, ["--import", RUN_TS, join(EXAMPLES, script), "--compiler", compiler], {
    cwd: EXAMPLES,
    env: { ORCJIT_CACHE_DIR: cacheDir },
    reject: false,
  });
  if (r.exitCode !== 0) throw new Error(`${script} --compiler ${compiler} exited ${r.exitCode}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe.each(["clang", "gcc"])("%s", (compiler) => {
  it("seed 001: add.cc (lambda export) through loadModule", async () => {
    expect(await run("add.ts", compiler)).toContain(`[${compiler}] add(1, 2) = 3`);
  });

  it("seed 002: add_one.cc as an object (JIT) and as mylib.so (dlopen)", async () => {
    const out = await run("add_one.ts", compiler);
    expect(out).toContain("add_one(1) via JIT = 2");
    expect(out).toContain("add_one(41) via dlopen = 42");
  });

  it("seed 002: IntPair (constructor, fields, methods) and raise_error (kind + C++ file:line)", async () => {
    const out = await run("intpair.ts", compiler);
    expect(out).toContain("my_ffi_extension.IntPair(a=1, b=2): a=1 b=2 get_first()=1 static_get_second=2");
    expect(out).toMatch(/raise_error -> RuntimeError: .*hello from JS \(intpair_raise_error\.cc", line \d+\)/);
  });

  it("seed 004: add_one_cpu on Float32Array, zero-copy", async () => {
    const out = await run("add_one_cpu.ts", compiler);
    expect(out).toContain("add_one_cpu([1, 2, 3, 4, 5]) -> [2, 3, 4, 5, 6]");
    expect(out).toContain("zero-copy views and checks ok");
  });

  it("seed 003 features with loadInline: dtypes, devices, zero-copy both ways, callbacks, errors", async () => {
    expect(await run("tensors_and_callbacks.ts", compiler)).toContain(
      `[${compiler}] tour ok: Tensor(shape=[2, 3], dtype=float32, device=cpu:0), xs=[1.5, 2.5, 3.5], greet=hello, JS`,
    );
  });

  it("seed 000: incremental multi-object loading and loadModule", async () => {
    const out = await run("multi_object.ts", compiler);
    expect(out).toContain('simple_add(10, 20) = 30; string_concat("Hello", "World") = HelloWorld');
    expect(out).toContain("my_function(2, 3) via loadModule = 5");
  });
});

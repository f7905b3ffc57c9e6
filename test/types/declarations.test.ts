// Types without writing them (docs/types.md): `orcjit types` / writeProjectTypes and
// loadInline's `types` option write declarations from the kernels' C++ signatures, merged
// into KernelModules, so the user's unchanged calls are checked by `tsc`: it accepts
// add(1, 2) and rejects add("x"). The test type-checks real user files with the real tsc.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInline, loadProject, renderDeclarations, ExecutionSession, type AsyncFFIFunction } from "../../src/index.js";
import { runCli } from "../../src/cli/program.js";
import { ROOT } from "../helpers/fixtures.js";

const run = promisify(execFile);

const MATH_CC = `
#include <tvm/ffi/container/array.h>
#include <tvm/ffi/function.h>
#include <tvm/ffi/string.h>
namespace ffi = tvm::ffi;
int64_t add(int64_t a, int64_t b) { return a + b; }
double scale(double x, double k) { return x * k; }
ffi::Array<int64_t> iota(int64_t n) {
  ffi::Array<int64_t> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(i);
  return out;
}
ffi::String greet(ffi::String who) { return ffi::String("hi " + std::string(who)); }
`;

const INLINE_CPP = `
int64_t add_one(int64_t x) { return x + 1; }
tvm::ffi::TypedFunction<int64_t(int64_t)> make_adder(int64_t k) { return [k](int64_t x) { return x + k; }; }
`;

/** tsc over `files` (plus the generated declarations) in `dir`; the toolkit resolves to src/. */
async function tsc(dir: string, name: string, files: string[]): Promise<{ code: number; out: string }> {
  const config = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022", "ESNext.Disposable"],
      types: ["node"],
      typeRoots: [join(ROOT, "node_modules/@types")],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      baseUrl: ".",
      paths: { "tvm-ffi-orcjit": [join(ROOT, "src/index.ts")] },
    },
    files: [...files, "orcjit-kernels.d.ts", "inl.d.ts"],
  };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(config, null, 2));
  try {
    const r = await run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", `${name}.json`], { cwd: dir });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: (err.stdout ?? "") + (err.stderr ?? "") };
  }
}

describe("generated declarations", () => {
  let dir: string;
  let session: ExecutionSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orcjit-types-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(dir, "math.cc"), MATH_CC);
    writeFileSync(
      join(dir, "orcjit.yaml"),
      ["version: 1", "defaults:", "  cxxflags: [-std=c++17]", "libraries:", "  math:", "    sources: [math.cc]", "    functions: [add, scale, iota, greet]", ""].join("\n"),
    );
    const cacheDir = join(dir, ".cache");
    // orcjit types through the CLI (which writes <root>/orcjit-kernels.d.ts)
    const out = new PassThrough();
    let text = "";
    out.on("data", (b: Buffer) => (text += b.toString()));
    const code = await runCli(["types", dir, "--cache-dir", cacheDir], { out, err: out, env: process.env });
    expect({ code, text }).toEqual({ code: 0, text: expect.stringContaining("1 library, 4 functions") });
    session = new ExecutionSession();
    await loadInline({ name: "inl", cppSources: INLINE_CPP, functions: { add_one: "Adds one.", make_adder: "" }, types: dir, cacheDir, session });
  }, 300_000);
  afterAll(() => {
    session?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("renders signatures, JSDoc from docstrings, and untyped functions", () => {
    const math = readFileSync(join(dir, "orcjit-kernels.d.ts"), "utf8");
    expect(math).toContain('declare module "tvm-ffi-orcjit"');
    expect(math).toContain("interface KernelModules");
    // an int result: a call signature plus fn.exact, typed from the same parameters
    expect(math).toContain("add: {\n        (arg0: number | bigint, arg1: number | bigint): number;");
    expect(math).toContain("readonly exact: ((arg0: number | bigint, arg1: number | bigint) => bigint) & AsyncCalls<(arg0: number | bigint, arg1: number | bigint) => bigint>;");
    expect(math).toContain("scale(arg0: number | FFIFloat, arg1: number | FFIFloat): number;");
    expect(math).toContain("iota(arg0: number | bigint): readonly (number | bigint)[];");
    expect(math).toContain("* C++: (int, int) -> int");
    const inl = readFileSync(join(dir, "inl.d.ts"), "utf8");
    expect(inl).toContain("* Adds one.");
    expect(inl).toContain("add_one: {\n        (arg0: number | bigint): number;");
    expect(inl).toContain("make_adder(arg0: number | bigint): ((arg0: number | bigint) => number) & FFIFunctionInfo;");
    const untyped = renderDeclarations([{ name: "c", functions: [{ name: "raw", signatureError: "the metadata is not JSON" }] }]);
    expect(untyped).toContain("raw: FFIFunction;");
    expect(untyped).toContain("Untyped: the metadata is not JSON");
  });

  it("the declarations match what the functions do at run time", async () => {
    const project = await loadProject(dir, { cacheDir: join(dir, ".cache") });
    try {
      await project.load();
      const add = project.library("math").getFunction("add");
      expect(add(1, 2)).toBe(3);
      expect(String(add.signature)).toBe("(int, int) -> int");
      expect(add.exact!(2n ** 60n, 1)).toBe(2n ** 60n + 1n); // the project handle forwards fn.exact
      expect(add.exact!(1, 2)).toBe(3n); // as its declaration says: every int result a bigint
      expect(add.exact).toBe(add.exact);
      await expect((add.exact as AsyncFFIFunction).async(1, 2)).resolves.toBe(3n);
      expect(project.library("math").getFunction("scale").exact).toBeUndefined();
      expect(() => add(2n ** 60n, 1)).toThrow(RangeError);
      expect(project.library("math").getFunction("iota")(3)).toEqual([0, 1, 2]);
    } finally {
      project.dispose();
    }
  }, 300_000);

  it("tsc accepts add(1, 2) and rejects add(\"x\") in the user's unchanged calls", async () => {
    writeFileSync(
      join(dir, "ok.ts"),
      `import { loadInline, loadProject } from "tvm-ffi-orcjit";
export async function main(): Promise<number> {
  const project = await loadProject(".");
  const add = project.library("math").getFunction("add");
  const r: number = add(1, 2);
  const big: number = add(2n ** 40n, 1);
  const s: number = project.library("math").getFunction("scale")(2, 0.5);
  const xs: readonly (number | bigint)[] = project.library("math").getFunction("iota")(3);
  const g: string = project.library("math").getFunction("greet")("you");
  const doc: string | undefined = add.doc;
  const mod = await loadInline({ name: "inl", cppSources: "", functions: ["add_one", "make_adder"] });
  const x: number = mod.add_one(41);
  const y: number = mod.make_adder(5)(10);
  const z: number = mod.getFunction("add_one")(1);
  // fn.exact: the kernel's parameters, the int result as a bigint
  const e: bigint = add.exact(1, 2);
  const ea: Promise<bigint> = add.exact.async(2n ** 60n, 1);
  const e1: bigint = mod.add_one.exact(41);
  const e2: bigint = mod.getFunction("add_one").exact(41);
  void ea;
  // A library without declarations stays FFIFunction (any FFIValue arguments).
  const other = project.library("other").getFunction("anything");
  other("x", [1, 2], new Map([["k", 1]]), new Float32Array(2));
  return r + big + s + xs.length + g.length + (doc?.length ?? 0) + x + y + z + Number(e + e1 + e2);
}
`,
    );
    const ok = await tsc(dir, "tsconfig.ok", ["ok.ts"]);
    expect(ok).toEqual({ code: 0, out: "" });

    writeFileSync(
      join(dir, "bad.ts"),
      `import { loadInline, loadProject } from "tvm-ffi-orcjit";
export async function main(): Promise<void> {
  const project = await loadProject(".");
  const add = project.library("math").getFunction("add");
  add("x", 2);
  add(1);
  const t: string = add(1, 2);
  project.library("math").getFunction("iota")([1]);
  const mod = await loadInline({ name: "inl", cppSources: "", functions: ["add_one"] });
  mod.add_one("41");
  const n: number = project.library("math").getFunction("iota")(3)[0]!;
  add.exact("x", 2);
  const m: number = add.exact(1, 2);
  project.library("math").getFunction("scale").exact(1, 2);
}
`,
    );
    const bad = await tsc(dir, "tsconfig.bad", ["bad.ts"]);
    expect(bad.code).not.toBe(0);
    const lines = bad.out.split("\n").filter((l) => l.startsWith("bad.ts("));
    expect(lines.map((l) => /^bad\.ts\((\d+),/.exec(l)?.[1])).toEqual(["5", "6", "7", "8", "10", "11", "12", "13", "14"]);
    // Ints inside a returned array are not checked, so they are typed number | bigint.
    expect(bad.out).toMatch(/bad\.ts\(11,\d+\): error TS2322: Type 'number \| bigint' is not assignable to type 'number'/);
    expect(bad.out).toMatch(/bad\.ts\(5,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number \| bigint'/);
    // fn.exact takes the kernel's parameters and returns a bigint; a float result has none.
    expect(bad.out).toMatch(/bad\.ts\(12,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number \| bigint'/);
    expect(bad.out).toMatch(/bad\.ts\(13,\d+\): error TS2322: Type 'bigint' is not assignable to type 'number'/);
    expect(bad.out).toMatch(/bad\.ts\(14,\d+\): error TS2722/);
  }, 300_000);
});

// loadInline end to end (compile → cache → JIT → call) with clang-22 and gcc, the diagnostics of
// inline sources mapped to the user's lines, module identity, and the warm path in a new process.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CompileError } from "../../src/errors.js";
import { ExecutionSession } from "../../src/jit/index.js";
import { build } from "../../src/project/build.js";
import { generateInlineSources, loadInline } from "../../src/project/load-inline.js";
import { childEnv, cleanupTempDirs, copyFixtures, recordingCompiler, runNodeScript, tempDir, TOOLCHAINS, transpiledSrc } from "../compiler/helpers.js";

afterAll(cleanupTempDirs);

const C_ADD = `
#include <stdint.h>
int __tvm_ffi_c_add(void* self, const TVMFFIAny* args, int32_t num_args, TVMFFIAny* result) {
  (void)self;
  if (num_args != 2) { TVMFFIErrorSetRaisedFromCStr("TypeError", "c_add takes 2 arguments"); return -1; }
  result->type_index = kTVMFFIInt;
  result->zero_padding = 0;
  result->v_int64 = args[0].v_int64 + args[1].v_int64;
  return 0;
}
`;

async function lineOf(file: string, line: number): Promise<string> {
  return (await readFile(file, "utf8")).split("\n")[line - 1] ?? "";
}

describe.each(TOOLCHAINS)("loadInline with $name", (tc) => {
  it("compiles C++ and C sources, exports the functions, and calls them", async () => {
    const cacheDir = await tempDir();
    const session = new ExecutionSession();
    try {
      const mod = await loadInline({
        name: `mixed_${tc.name}`,
        cppSources: [
          "int64_t add_one(int64_t x) { return x + 1; }",
          "tvm::ffi::String greet(tvm::ffi::String who) { return std::string(\"hello \") + std::string(who); }",
        ],
        cSources: C_ADD,
        functions: { add_one: "Adds one.", greet: "" },
        compiler: tc.name,
        cacheDir,
        session,
      });
      expect(mod.add_one(41)).toBe(42);
      expect(mod.greet("orc")).toBe("hello orc");
      expect(mod.getFunction("c_add")(2, 3)).toBe(5);
      expect(mod.docs).toEqual({ add_one: "Adds one." });
      expect(mod.functions).toEqual(["add_one", "greet"]);
      expect(mod.objects).toHaveLength(2);
      expect(mod.library.session).toBe(session);
      // The generated file and the user's text are in the build directory.
      const main = await readFile(join(mod.buildDirectory, "main.cpp"), "utf8");
      expect(main).toContain("#include <tvm/ffi/function.h>");
      expect(main).toContain("TVM_FFI_DLL_EXPORT_TYPED_FUNC(add_one, add_one);");
      expect(main).toContain('TVM_FFI_DLL_EXPORT_TYPED_FUNC_DOC(add_one, "Adds one.");');
    } finally {
      session.dispose();
    }
  });

  it("maps a syntax error in inline C++ to the user's line", async () => {
    const cacheDir = await tempDir();
    const cppSources = ["int64_t ok(int64_t x) { return x; }", "", "int64_t bad(int64_t x) {", "  return x +;", "}"].join("\n");
    const err = await loadInline({ name: "bad", cppSources, functions: ["ok"], compiler: tc.name, cacheDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    const d = (err as CompileError).diagnostics.find((x) => x.severity === "error")!;
    expect(d.location!.file).toMatch(/[\\/]bad_[0-9a-f]{16}[\\/]cpp_source\.cc$/);
    expect(d.location!.line).toBe(4);
    expect(d.location!.column).toBe(13);
    expect((err as CompileError).message.startsWith(`${d.location!.file}:4:13: error: `)).toBe(true);
    expect(await lineOf(d.location!.file, 4)).toBe("  return x +;");
  });

  it("maps a syntax error in inline C, and an unknown exported function to the export line", async () => {
    const cacheDir = await tempDir();
    const c = await loadInline({ name: "bad_c", cSources: "int f(void) {\n  return 1 +;\n}\n", compiler: tc.name, cacheDir }).catch((e: unknown) => e);
    const dc = (c as CompileError).diagnostics.find((x) => x.severity === "error")!;
    expect(dc.location).toMatchObject({ line: 2, column: 13 });
    expect(dc.location!.file).toMatch(/c_source\.c$/);

    const e = await loadInline({ name: "bad_export", cppSources: "int64_t present(int64_t x) { return x; }\n", functions: ["present", "missing_fn"], compiler: tc.name, cacheDir }).catch((x: unknown) => x);
    const de = (e as CompileError).diagnostics.find((x) => x.severity === "error")!;
    expect(de.location!.file).toMatch(/main\.cpp$/);
    expect(await lineOf(de.location!.file, de.location!.line)).toBe("TVM_FFI_DLL_EXPORT_TYPED_FUNC(missing_fn, missing_fn);");
  });
});

describe("loadInline sources", () => {
  it("compiles and links the tvm-ffi load_inline example verbatim (TensorView, TVM_FFI_ICHECK)", async () => {
    const session = new ExecutionSession();
    try {
      const mod = await loadInline({
        name: "example",
        cppSources: `
        void add_one_cpu(tvm::ffi::TensorView x, tvm::ffi::TensorView y) {
            TVM_FFI_ICHECK(x->ndim == 1) << "x must be a 1D tensor";
            DLDataType f32_dtype{kDLFloat, 32, 1};
            TVM_FFI_ICHECK(x->dtype == f32_dtype) << "x must be a float tensor";
            TVM_FFI_ICHECK(y->ndim == 1) << "y must be a 1D tensor";
            TVM_FFI_ICHECK(y->dtype == f32_dtype) << "y must be a float tensor";
            TVM_FFI_ICHECK(x->shape[0] == y->shape[0]) << "x and y must have the same shape";
            for (int i = 0; i < x->shape[0]; ++i) {
                static_cast<float*>(y->data)[i] = static_cast<float*>(x->data)[i] + 1;
            }
        }
    `,
        functions: ["add_one_cpu"],
        cacheDir: await tempDir(),
        session,
      });
      expect(typeof mod.add_one_cpu).toBe("function");
      expect(mod.library.symbolAddress("__tvm_ffi_add_one_cpu")).not.toBeNull();
    } finally {
      session.dispose();
    }
  });

  it("a C-only module exposes its own __tvm_ffi_ safe-call functions by name", async () => {
    const session = new ExecutionSession();
    try {
      const mod = await loadInline({ name: "c_only", cSources: C_ADD, functions: ["c_add"], cacheDir: await tempDir(), session });
      expect(mod.c_add(2, 3)).toBe(5);
      expect(() => mod.c_add(1)).toThrow(/c_add takes 2 arguments/);
    } finally {
      session.dispose();
    }
  });
});

describe("loadInline module identity and options", () => {
  it("same name + same inputs returns the same module; other inputs a new one", async () => {
    const cacheDir = await tempDir();
    const session = new ExecutionSession();
    try {
      const opts = { name: "same", cppSources: "int64_t twice(int64_t x) { return 2 * x; }", functions: ["twice"] as const, cacheDir, session };
      const a = await loadInline(opts);
      const b = await loadInline({ ...opts });
      expect(b).toBe(a);
      const c = await loadInline({ ...opts, extraCflags: ["-O1"] });
      expect(c).not.toBe(a);
      expect(c.twice(21)).toBe(42);
      // A disposed module is not handed out again.
      a.dispose();
      const d = await loadInline({ ...opts });
      expect(d).not.toBe(a);
      expect(d.twice(4)).toBe(8);
    } finally {
      session.dispose();
    }
  });

  it("uses an explicit build directory and reports progress", async () => {
    const cacheDir = await tempDir();
    const buildDirectory = await tempDir();
    const session = new ExecutionSession();
    const kinds: string[] = [];
    try {
      const mod = await loadInline({ name: "dir", cppSources: "int64_t id(int64_t x) { return x; }", functions: "id", cacheDir, buildDirectory, session, onProgress: (e) => kinds.push(e.kind) });
      expect(mod.buildDirectory).toBe(buildDirectory);
      expect(await readFile(join(buildDirectory, "cpp_source.cc"), "utf8")).toBe("int64_t id(int64_t x) { return x; }");
      expect(kinds).toEqual(["start", "compiled"]);
    } finally {
      session.dispose();
    }
  });

  it("rejects bad names and reserved function names", async () => {
    await expect(loadInline({ name: "../x", cppSources: "" })).rejects.toThrow(TypeError);
    await expect(loadInline({ name: "x", cppSources: "", functions: ["dispose"] })).rejects.toThrow(/collides/);
    await expect(loadInline({ name: "x" })).rejects.toThrow(/at least one/);
  });

  it("generates #line directives that put the exports at their real lines", () => {
    const g = generateInlineSources("/b", { cpp: "a\nb\n" }, new Map([["f", undefined]]));
    const lines = g.cpp!.text.split("\n");
    const back = lines.findIndex((l) => l.startsWith('#line ') && l.endsWith('"/b/main.cpp"'));
    expect(lines[back]).toBe(`#line ${back + 2} "/b/main.cpp"`);
    expect(lines[back + 1]).toBe("TVM_FFI_DLL_EXPORT_TYPED_FUNC(f, f);");
    expect(lines[lines.indexOf('#line 1 "/b/cpp_source.cc"') + 1]).toBe("a");
  });
});

describe("build()", () => {
  it("returns cached object paths in source order, passing objects through", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const objs = await build({ name: "kernels", sources: [join(fx, "add.cc"), join(fx, "add.c")], cacheDir });
    expect(objs).toHaveLength(2);
    expect(objs.every((p) => p.startsWith(cacheDir) && p.endsWith(".o"))).toBe(true);
    const again = await build({ name: "kernels", sources: [join(fx, "add.cc"), objs[1]!], cacheDir });
    expect(again).toEqual(objs);
  });
});

const runWorker = (args: string[], env: NodeJS.ProcessEnv) =>
  runNodeScript(fileURLToPath(new URL("./inline-worker.mjs", import.meta.url)), args, env);

describe.each(TOOLCHAINS)("warm path in a new process with $name", (tc) => {
  it("an unchanged module loads from the cache without starting the compiler", async () => {
    const dir = await tempDir();
    const cacheDir = await tempDir();
    const cxx = await recordingCompiler(dir, tc.cxx);
    const src = await transpiledSrc();
    const env = await childEnv();
    const cold = await runWorker([src, cacheDir, cxx.path], env);
    expect(cold.code, cold.stderr).toBe(0);
    expect(JSON.parse(cold.stdout)).toMatchObject({ result: 42, cacheHit: false });
    const spawnsAfterCold = (await cxx.invocations()).length;
    expect(spawnsAfterCold).toBeGreaterThan(0);
    const warm = await runWorker([src, cacheDir, cxx.path], env);
    expect(warm.code, warm.stderr).toBe(0);
    expect(JSON.parse(warm.stdout)).toMatchObject({ result: 42, cacheHit: true });
    expect((await cxx.invocations()).length).toBe(spawnsAfterCold);
  });
});

describe("loadInline load errors name the module and its source", () => {
  it("a thread_local: the LinkError names module and cpp_source.cc, not the cache blob", async () => {
    const cacheDir = await tempDir();
    const session = new ExecutionSession();
    try {
      const e = await loadInline({ name: "tls_named", cppSources: "thread_local int counter = 0;\nint64_t bump() { return ++counter; }", functions: ["bump"], cacheDir, session }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(Error);
      const message = (e as Error).message;
      expect(message).toMatch(/^'module tls_named, .*tls_named_[0-9a-f]+\/cpp_source\.cc': symbol 'counter'.*thread_local/);
      expect(message).not.toContain("blobs");
    } finally {
      session.dispose();
    }
  });
});

// Precompiled headers with clang-22 and gcc: loadInline's prelude is precompiled once and shared
// by every module of the cache; a unit's `pch` header is rebuilt when any header it includes
// changes; diagnostics still point at the user's lines; `pch: false` builds none.
import { utimesSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cache } from "../../src/cache/index.js";
import { compileUnits } from "../../src/compiler/index.js";
import { CompileError } from "../../src/errors.js";
import { ExecutionSession } from "../../src/jit/index.js";
import { loadInline } from "../../src/project/load-inline.js";
import { cleanupTempDirs, recordingCompiler, tempDir, TOOLCHAINS } from "./helpers.js";

afterAll(cleanupTempDirs);

const ADD = "int64_t add(int64_t a, int64_t b) { return a + b; }";
const isPch = (e: { language: string }): boolean => e.language.includes("precompiled");

describe.each(TOOLCHAINS)("precompiled headers with $name", (tc) => {
  it("loadInline precompiles the prelude once and every module of the cache uses it", async () => {
    const cacheDir = await tempDir();
    const cxx = await recordingCompiler(cacheDir, tc.cxx, "cxx");
    const session = new ExecutionSession();
    try {
      const a = await loadInline({ name: "pch_a", cppSources: ADD, functions: ["add"], cacheDir, compiler: cxx.path, session });
      expect(a.add(40, 2)).toBe(42);
      const afterFirst = await cxx.invocations();
      const headerBuilds = afterFirst.filter((l) => /-x c\+\+-header/.test(l));
      expect(headerBuilds).toHaveLength(1);
      const b = await loadInline({ name: "pch_b", cppSources: "int64_t mul(int64_t a, int64_t b) { return a * b; }", functions: ["mul"], cacheDir, compiler: cxx.path, session });
      expect(b.mul(6, 7)).toBe(42);
      const second = (await cxx.invocations()).slice(afterFirst.length);
      // One compile, no new header build, and it used the PCH.
      expect(second.filter((l) => !/--version|-dump/.test(l))).toHaveLength(1);
      expect(second.at(-1)).toMatch(tc.name === "clang" ? /-include-pch \S+/ : /-include \S+\/pch\/\w+\/pch\.h -Winvalid-pch/);
      expect(b.objects[0]!.warnings).toEqual([]); // gcc: no "invalid PCH" warning
      const entries = await cache.list({ cacheDir });
      expect(entries.filter(isPch)).toHaveLength(1);
      // The object depends on the headers inside the PCH (gcc's own depfile leaves them out).
      expect(b.objects[0]!.dependencies.some((d) => d.endsWith("tvm/ffi/function.h"))).toBe(true);
      expect(b.objects[0]!.dependencies.some((d) => d.includes("/v1/pch/") || d.includes("/v1/blobs/"))).toBe(false);
    } finally {
      session.dispose();
    }
  });

  it("a diagnostic in a module compiled with the PCH points at the user's line", async () => {
    const cacheDir = await tempDir();
    await loadInline({ name: "pch_ok", cppSources: ADD, functions: ["add"], cacheDir, compiler: tc.name }); // builds the PCH
    const err = await loadInline({ name: "pch_bad", cppSources: `${ADD}\nint64_t bad() { return undefined_name; }\n`, functions: ["bad"], cacheDir, compiler: tc.name }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).message).toMatch(/cpp_source\.cc:2:\d+: error: .*undefined_name/);
    expect((await cache.list({ cacheDir })).filter(isPch)).toHaveLength(1);
  });

  it("a PCH whose blob left the cache (prune) is rebuilt, in the same process", async () => {
    const cacheDir = await tempDir();
    const cxx = await recordingCompiler(cacheDir, tc.cxx, "cxx");
    const session = new ExecutionSession();
    try {
      await loadInline({ name: "pr_a", cppSources: ADD, functions: ["add"], cacheDir, compiler: cxx.path, session });
      const [entry] = (await cache.list({ cacheDir })).filter(isPch);
      await rm(entry!.objectPath);
      const b = await loadInline({ name: "pr_b", cppSources: ADD.replace("a + b", "b + a"), functions: ["add"], cacheDir, compiler: cxx.path, session });
      expect(b.add(40, 2)).toBe(42);
      expect(b.objects[0]!.warnings).toEqual([]);
      expect((await cxx.invocations()).filter((l) => /-x c\+\+-header/.test(l))).toHaveLength(2);
      expect((await cxx.invocations()).at(-1)).toMatch(tc.name === "clang" ? /-include-pch/ : /pch\.h -Winvalid-pch/);
    } finally {
      session.dispose();
    }
  });

  it("pch: false builds no precompiled header", async () => {
    const cacheDir = await tempDir();
    const mod = await loadInline({ name: "nopch", cppSources: ADD, functions: ["add"], cacheDir, compiler: tc.name, pch: false });
    expect(mod.add(1, 2)).toBe(3);
    expect((await cache.list({ cacheDir })).filter(isPch)).toHaveLength(0);
    mod.dispose();
  });

  it("a unit's pch header is rebuilt when a header it includes changes; a touched header is not a change", async () => {
    const dir = await tempDir();
    const cacheDir = join(dir, "cache");
    await writeFile(join(dir, "inner.h"), "#pragma once\nconstexpr int64_t K = 1;\n");
    await writeFile(join(dir, "common.h"), "#pragma once\n#include <cstdint>\n#include <tvm/ffi/function.h>\n#include \"inner.h\"\n");
    await writeFile(join(dir, "k.cc"), "int64_t k() { return K; }\nTVM_FFI_DLL_EXPORT_TYPED_FUNC(k, k);\n");
    const compiler = tc.cxx;
    const build = (force = false) => compileUnits([{ source: join(dir, "k.cc"), pch: join(dir, "common.h") }], { cacheDir, compiler, force });
    const call = (objectPath: string): unknown => {
      const s = new ExecutionSession();
      try {
        const lib = s.createLibrary("k");
        lib.add(objectPath);
        return lib.getFunction("k")();
      } finally {
        s.dispose();
      }
    };
    const [first] = await build();
    expect(call(first!.objectPath)).toBe(1);
    expect(first!.dependencies).toContain(join(dir, "inner.h"));
    expect((await cache.list({ cacheDir })).filter(isPch)).toHaveLength(1);

    // Touch without a change: same key (hit), and a forced compile still uses the old PCH.
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, "inner.h"), later, later);
    const [touched] = await build();
    expect(touched!.cacheHit).toBe(true);
    const [forced] = await build(true);
    expect(forced!.cacheHit).toBe(false);
    // (the touch dates the header 5 s ahead: the cache's clock-skew warning is expected, nothing else)
    expect(forced!.warnings.filter((w) => !/in the future/.test(w.message))).toEqual([]);
    expect((await cache.list({ cacheDir })).filter(isPch)).toHaveLength(1);

    await writeFile(join(dir, "inner.h"), "#pragma once\nconstexpr int64_t K = 2;\n");
    const [edited] = await build();
    expect(edited!.cacheHit).toBe(false);
    expect(call(edited!.objectPath)).toBe(2);
    const pchs = (await cache.list({ cacheDir })).filter(isPch);
    expect(pchs).toHaveLength(2);
    expect(pchs.every((e) => e.source === join(dir, "common.h"))).toBe(true);
    expect(await readFile(join(dir, "inner.h"), "utf8")).toContain("K = 2");
  });
});

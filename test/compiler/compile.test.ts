// compileUnits against real clang-22 and gcc: C and C++ units, diagnostics, cache hits without
// a compiler spawn, header invalidation, cancellation and killed compilers.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { compileUnits, resetToolchainMemo, type BuildProgress } from "../../src/compiler/index.js";
import { ObjectCache } from "../../src/cache/store.js";
import { CompileError } from "../../src/errors.js";
import { cleanupTempDirs, copyFixtures, recordingCompiler, tempDir, TOOLCHAINS } from "./helpers.js";

const run = promisify(execFile);
afterAll(cleanupTempDirs);

async function nm(obj: string): Promise<string> {
  return (await run("nm", [obj])).stdout;
}

async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const kids = (await readFile(`/proc/${pid}/task/${task}/children`, "utf8").catch(() => "")).split(/\s+/).filter(Boolean).map(Number);
    for (const k of kids) out.push(k, ...(await descendants(k)));
  }
  return out;
}

async function entryCount(cacheDir: string): Promise<number> {
  return (await new ObjectCache(cacheDir).list()).length;
}

describe.each(TOOLCHAINS)("compileUnits with $name", (tc) => {
  it("compiles a C and a C++ unit into objects that define their symbols", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const events: BuildProgress[] = [];
    const [c, cc] = await compileUnits([{ source: join(fx, "add.c") }, { source: join(fx, "add.cc") }], {
      compiler: tc.name,
      cacheDir,
      onProgress: (e) => events.push(e),
    });
    expect(c!.cacheHit).toBe(false);
    expect(cc!.cacheHit).toBe(false);
    expect(await nm(c!.objectPath)).toMatch(/ T orcjit_add_c\b/);
    expect(await nm(cc!.objectPath)).toMatch(/ T orcjit_sum_cc\b/);
    expect(c!.dependencies).toContain(join(fx, "inc", "config.h"));
    expect(cc!.dependencies).toContain(join(fx, "inc", "config.h"));
    // -MMD: system headers (<vector>) are covered by the compiler identity, not listed.
    expect(cc!.dependencies.some((d) => d.includes("/usr/include"))).toBe(false);
    expect(c!.key).toMatch(/^[0-9a-f]{64}$/);
    expect(events.filter((e) => e.kind === "compiled").map((e) => e.index).sort()).toEqual([0, 1]);
    expect(events.every((e) => e.total === 2)).toBe(true);
    // The objects really came from the requested compiler.
    const comment = (await run("readelf", ["-p", ".comment", c!.objectPath])).stdout;
    expect(comment).toMatch(tc.name === "clang" ? /clang version 22/ : /GCC: .*12\./);
  });

  it("reports a syntax error as file:line:col with structured diagnostics and the command", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const buildDirectory = await tempDir();
    for (const [file, line, col] of [
      ["syntax_error.c", 4, tc.name === "clang" ? 13 : 13],
      ["syntax_error.cc", 4, 11],
    ] as const) {
      const source = join(fx, file);
      const err = await compileUnits([{ source }], { compiler: tc.name, cacheDir, buildDirectory }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CompileError);
      const ce = err as CompileError;
      expect(ce.message.startsWith(`${source}:${line}:${col}: error: `)).toBe(true);
      expect(ce.diagnostics[0]).toMatchObject({ severity: "error", location: { file: source, line, column: col } });
      expect(ce.command[0]).toMatch(tc.name === "clang" ? /clang/ : /g(cc|\+\+)$/);
      expect(ce.command).toContain(source);
      expect(ce.logPath).toBeDefined();
      expect(await readFile(ce.logPath!, "utf8")).toContain("error");
    }
    // A failed build is never a hit.
    expect(await entryCount(cacheDir)).toBe(0);
    await expect(compileUnits([{ source: join(fx, "syntax_error.c") }], { compiler: tc.name, cacheDir })).rejects.toBeInstanceOf(CompileError);
  });

  it("serves a cache hit from a fresh probe state without starting the compiler", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const cc = await recordingCompiler(fx, tc.cxx);
    const first = await compileUnits([{ source: join(fx, "add.cc") }], { compiler: cc.path, cacheDir });
    const coldSpawns = (await cc.invocations()).length;
    expect(coldSpawns).toBeGreaterThanOrEqual(2); // identity probe + compile
    resetToolchainMemo(); // as a new process would start
    const second = await compileUnits([{ source: join(fx, "add.cc") }], { compiler: cc.path, cacheDir });
    expect(second[0]!.cacheHit).toBe(true);
    expect(second[0]!.key).toBe(first[0]!.key);
    expect(second[0]!.objectPath).toBe(first[0]!.objectPath);
    expect((await cc.invocations()).length).toBe(coldSpawns);
    // force: compiles again (one more spawn), same key.
    const forced = await compileUnits([{ source: join(fx, "add.cc") }], { compiler: cc.path, cacheDir, force: true });
    expect(forced[0]!.cacheHit).toBe(false);
    expect((await cc.invocations()).length).toBe(coldSpawns + 1);
  });

  it("a header edit invalidates exactly the objects that include it", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const units = [{ source: join(fx, "add.c") }, { source: join(fx, "add.cc") }, { source: join(fx, "other.c") }];
    const opts = { compiler: tc.name, cacheDir };
    const cold = await compileUnits(units, opts);
    expect(cold.map((o) => o.cacheHit)).toEqual([false, false, false]);
    expect((await compileUnits(units, opts)).map((o) => o.cacheHit)).toEqual([true, true, true]);

    await writeFile(join(fx, "inc", "other.h"), "#pragma once\n#define OTHER_VALUE 8\n");
    const afterOther = await compileUnits(units, opts);
    expect(afterOther.map((o) => o.cacheHit)).toEqual([true, true, false]);
    expect(afterOther[2]!.key).not.toBe(cold[2]!.key);

    await writeFile(join(fx, "inc", "config.h"), "#pragma once\n#define CONFIG_OFFSET 1\n");
    const afterConfig = await compileUnits(units, opts);
    expect(afterConfig.map((o) => o.cacheHit)).toEqual([false, false, true]);

    // Touching without changing content is not an edit (content-addressed, not mtime-based).
    const later = new Date(Date.now() + 5000);
    await utimes(join(fx, "inc", "config.h"), later, later);
    expect((await compileUnits(units, opts)).map((o) => o.cacheHit)).toEqual([true, true, true]);

    // Reverting finds the earlier objects again.
    await writeFile(join(fx, "inc", "other.h"), "#pragma once\n#define OTHER_VALUE 7\n");
    const reverted = await compileUnits(units, opts);
    expect(reverted[2]!.cacheHit).toBe(true);
    expect(reverted[2]!.key).toBe(cold[2]!.key);
  });

  it("flags, defines and the optimisation level are part of the key", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const unit = { source: join(fx, "add.c") };
    const a = await compileUnits([unit], { compiler: tc.name, cacheDir });
    const b = await compileUnits([unit], { compiler: tc.name, cacheDir, optLevel: 0 });
    const c = await compileUnits([{ ...unit, defines: { EXTRA: "1" } }], { compiler: tc.name, cacheDir });
    const d = await compileUnits([unit], { compiler: tc.name, cacheDir, extraCflags: ["-DFOO"] });
    expect(new Set([a, b, c, d].map((r) => r[0]!.key)).size).toBe(4);
    expect([b, c, d].every((r) => !r[0]!.cacheHit)).toBe(true);
  });

  it("cancellation kills the compiler, caches nothing, and the next build works", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    // The source includes a FIFO: the real compiler blocks reading it until it is killed.
    await run("mkfifo", [join(fx, "inc", "block.h")]);
    const source = join(fx, "blocked.c");
    await writeFile(source, '#include "inc/block.h"\nint blocked(void) { return 1; }\n');
    const ac = new AbortController();
    const p = compileUnits([{ source }], {
      compiler: tc.name,
      cacheDir,
      signal: ac.signal,
      onProgress: (e) => {
        if (e.kind === "start") setImmediate(() => ac.abort());
      },
    });
    const err = await p.catch((e: unknown) => e);
    expect((err as Error).name).toBe("AbortError");
    expect(await entryCount(cacheDir)).toBe(0);
    expect(await readdir(join(cacheDir, "v1", "tmp"))).toEqual([]);
    // Replace the FIFO with a regular header: builds normally.
    const { rm } = await import("node:fs/promises");
    await rm(join(fx, "inc", "block.h"));
    await writeFile(join(fx, "inc", "block.h"), "#pragma once\n");
    const ok = await compileUnits([{ source }], { compiler: tc.name, cacheDir });
    expect(ok[0]!.cacheHit).toBe(false);
    expect(await entryCount(cacheDir)).toBe(1);
  });

  it("a compiler killed from outside leaves no entry", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    await run("mkfifo", [join(fx, "inc", "block.h")]);
    const source = join(fx, "blocked.c");
    await writeFile(source, '#include "inc/block.h"\nint blocked(void) { return 1; }\n');
    // Wrapper that records its pid, then execs the real compiler (same pid).
    const pidFile = join(fx, "cc.pid");
    const wrapper = join(fx, "pid-cc");
    await writeFile(wrapper, `#!/bin/sh\ncase "$*" in *blocked.c*) echo $$ > '${pidFile}';; esac\nexec '${tc.cc}' "$@"\n`);
    const { chmod } = await import("node:fs/promises");
    await chmod(wrapper, 0o755);
    const p = compileUnits([{ source }], { compiler: wrapper, cacheDir }).catch((e: unknown) => e);
    let pid = "";
    while (!pid) {
      pid = await readFile(pidFile, "utf8").catch(() => "");
      if (!pid) await new Promise((r) => setTimeout(r, 20));
    }
    if (tc.name === "gcc") while ((await descendants(Number(pid))).length === 0) await new Promise((r) => setTimeout(r, 20));
    // Kill the driver and whatever it started (gcc runs cc1 as a child; clang compiles in-process).
    for (const victim of [Number(pid), ...(await descendants(Number(pid)))]) process.kill(victim, "SIGKILL");
    const err = await p;
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).message).toMatch(/error: the compiler was terminated by SIGKILL/);
    expect(await entryCount(cacheDir)).toBe(0);
  });
});

describe("compileUnits general behaviour", () => {
  it("keeps warnings as structured data on success", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const [o] = await compileUnits([{ source: join(fx, "warn.c") }], { compiler: "clang", cacheDir, extraCflags: ["-Wall"] });
    expect(o!.warnings.some((w) => w.severity === "warning" && w.location?.line === 1)).toBe(true);
  });

  it("a header edited while the compiler runs: the object is returned but not recorded", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    // The compiler reads config.h, then blocks on a FIFO that is a *system* header (-isystem),
    // so -MMD does not list it: the only thing that can keep the entry out is config.h's change.
    const sys = join(fx, "sys");
    const { mkdir, rm } = await import("node:fs/promises");
    await mkdir(sys);
    const fifo = join(sys, "block.h");
    await run("mkfifo", [fifo]);
    const source = join(fx, "racy.c");
    await writeFile(source, '#include "inc/config.h"\n#include <block.h>\nint racy(void) { return CONFIG_OFFSET; }\n');
    const opts = { compiler: "gcc", cacheDir, extraCflags: ["-isystem", sys] };
    let unblocked: Promise<void> | undefined;
    const [o] = await compileUnits([{ source }], {
      ...opts,
      onProgress: (e) => {
        if (e.kind !== "start") return;
        // Opening the FIFO for writing returns once the compiler opened it for reading, i.e. after
        // it read config.h. Then edit config.h, and let the compiler finish.
        unblocked = (async () => {
          const { open } = await import("node:fs/promises");
          const w = await open(fifo, "w");
          await writeFile(join(fx, "inc", "config.h"), "#pragma once\n#define CONFIG_OFFSET 5\n");
          await w.write("/* done */\n");
          await w.close();
        })();
      },
    });
    await unblocked;
    expect(o!.cacheHit).toBe(false);
    expect(o!.dependencies).toEqual([join(fx, "inc", "config.h")]);
    expect(await nm(o!.objectPath)).toMatch(/ T racy\b/);
    expect(await entryCount(cacheDir)).toBe(0);
    // With the FIFO replaced by a plain header: compiled again (nothing was recorded), then a hit.
    await rm(fifo);
    await writeFile(fifo, "/* plain */\n");
    expect((await compileUnits([{ source }], opts))[0]!.cacheHit).toBe(false);
    expect((await compileUnits([{ source }], opts))[0]!.cacheHit).toBe(true);
  });

  it("honours CC and CXX", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const cc = await recordingCompiler(fx, "/usr/bin/gcc", "my-cc");
    const cxx = await recordingCompiler(fx, "/usr/bin/g++", "my-cxx");
    const env = { ...process.env, CC: cc.path, CXX: cxx.path };
    await compileUnits([{ source: join(fx, "add.c") }, { source: join(fx, "add.cc") }], { cacheDir, env });
    expect((await cc.invocations()).some((l) => /add\.c$/.test(l))).toBe(true);
    expect((await cxx.invocations()).some((l) => l.includes("add.cc"))).toBe(true);
  });

  it("runs at most `jobs` compilers at once", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    let active = 0;
    let peak = 0;
    const units = ["a", "b", "c", "d"].map((n) => ({ source: join(fx, "add.c"), defines: { UNIT: n } }));
    await compileUnits(units, {
      compiler: "gcc",
      cacheDir,
      jobs: 2,
      onProgress: (e) => {
        if (e.kind === "start") peak = Math.max(peak, ++active);
        if (e.kind === "compiled" || e.kind === "failed") active--;
      },
    });
    expect(peak).toBe(2);
  });

  it("creates the cache directory private (0700)", async () => {
    const fx = await copyFixtures();
    const cacheDir = join(await tempDir(), "nested", "cache");
    await compileUnits([{ source: join(fx, "add.c") }], { compiler: "gcc", cacheDir });
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
  });

  it("uses ORCJIT_CACHE_DIR when no option is given", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const [o] = await compileUnits([{ source: join(fx, "add.c") }], { compiler: "gcc", env: { ...process.env, ORCJIT_CACHE_DIR: cacheDir } });
    expect(o!.objectPath.startsWith(cacheDir)).toBe(true);
  });

  it("throws a ToolchainError for a compiler that does not exist", async () => {
    const fx = await copyFixtures();
    await expect(compileUnits([{ source: join(fx, "add.c") }], { compiler: "/nonexistent/cc", cacheDir: await tempDir() })).rejects.toMatchObject({ code: "ORCJIT_TOOLCHAIN" });
  });
});

// nvcc is optional on a machine; where it exists, CUDA units compile through the same path.
const nvcc = ["/usr/local/bin/nvcc", "/usr/local/cuda/bin/nvcc", process.env.CUDA_HOME ? `${process.env.CUDA_HOME}/bin/nvcc` : ""].find((p) => p && existsSync(p));
describe.runIf(nvcc)("compileUnits with nvcc", () => {
  it("compiles a CUDA unit with -Xcompiler -fPIC and the requested arch, and caches it", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const source = join(fx, "kernel.cu");
    await writeFile(source, '#include "inc/config.h"\n__global__ void inc(float* x) { x[threadIdx.x] += 1 + CONFIG_OFFSET; }\nextern "C" void launch_inc(float* x) { inc<<<1, 32>>>(x); }\n');
    const env = { ...process.env, ORCJIT_CUDA_ARCH: "8.0" };
    const [o] = await compileUnits([{ source }], { nvcc, cacheDir, env, verbose: false });
    expect(o!.cacheHit).toBe(false);
    expect(await nm(o!.objectPath)).toMatch(/ T launch_inc\b/);
    expect(o!.dependencies).toContain(join(fx, "inc", "config.h"));
    const list = await new ObjectCache(cacheDir).list();
    expect(list[0]!.compiler).toMatch(/^nvcc .*release/);
    const [again] = await compileUnits([{ source }], { nvcc, cacheDir, env });
    expect(again!.cacheHit).toBe(true);
    const bad = join(fx, "bad.cu");
    await writeFile(bad, "__global__ void k(float* x) {\n  x[0] = undefined_thing;\n}\n");
    const err = await compileUnits([{ source: bad }], { nvcc, cacheDir, env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).diagnostics[0]).toMatchObject({ severity: "error", location: { file: bad, line: 2 } });
  });
});

// Compiler launchers: a real ccache with a private CCACHE_DIR (hits after the object cache was
// cleared), the object key unchanged by a launcher, our own dependency scan for caching
// launchers (their depfile is never asked for), a missing launcher named in the error, and
// the launcher setting's parsing.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cache } from "../../src/cache/index.js";
import { compileUnits } from "../../src/compiler/index.js";
import { launcherKind, probeLaunchers, resolveLauncher } from "../../src/compiler/launcher.js";
import { ToolchainError } from "../../src/errors.js";
import { ExecutionSession } from "../../src/jit/index.js";
import { loadInline } from "../../src/project/load-inline.js";
import { cleanupTempDirs, tempDir, TOOLCHAINS } from "./helpers.js";

afterAll(cleanupTempDirs);

/** ccache's counters for a private cache directory. */
function ccacheStats(ccacheDir: string): Record<string, number> {
  const out = execFileSync("ccache", ["--print-stats"], { env: { ...process.env, CCACHE_DIR: ccacheDir }, encoding: "utf8" });
  return Object.fromEntries(out.split("\n").filter(Boolean).map((l) => l.split("\t")).map(([k, v]) => [k!, Number(v)]));
}

describe("launcher setting", () => {
  it("parses the option, the environment variable and arrays; recognises launchers by name", () => {
    expect(resolveLauncher(undefined, {})).toBeUndefined();
    expect(resolveLauncher(undefined, { ORCJIT_COMPILER_LAUNCHER: "ccache" })).toEqual({ command: "ccache", args: [], kind: "ccache" });
    expect(resolveLauncher("distcc -j8", { ORCJIT_COMPILER_LAUNCHER: "ccache" })).toEqual({ command: "distcc", args: ["-j8"], kind: "distcc" });
    expect(resolveLauncher(false, { ORCJIT_COMPILER_LAUNCHER: "ccache" })).toBeUndefined();
    expect(resolveLauncher("", { ORCJIT_COMPILER_LAUNCHER: "ccache" })).toBeUndefined();
    expect(resolveLauncher(["/opt/my launcher/run", "--x"], {})).toEqual({ command: "/opt/my launcher/run", args: ["--x"], kind: "other" });
    expect(["/usr/bin/ccache", "C:\\tools\\sccache.exe", "icecc", "icerun", "distcc", "nice"].map(launcherKind)).toEqual(["ccache", "sccache", "icecc", "icecc", "distcc", "other"]);
  });

  it("doctor's probe finds ccache and distcc with their versions, and flags a configured launcher that is missing", async () => {
    const r = await probeLaunchers({ PATH: process.env.PATH, ORCJIT_COMPILER_LAUNCHER: "no-such-launcher-xyz", DISTCC_HOSTS: "127.0.0.1/2" });
    expect(r.configured).toBe("no-such-launcher-xyz");
    expect(r.problem).toContain("not on PATH");
    const byKind = Object.fromEntries(r.launchers.map((l) => [l.kind, l]));
    expect(byKind.ccache!.version).toMatch(/ccache version \d/);
    expect(byKind.distcc!.version).toMatch(/distcc \d/);
    expect(byKind.distcc!.note).toBe("DISTCC_HOSTS=127.0.0.1/2");
    expect(Object.keys(byKind).sort()).toEqual(["ccache", "distcc", "icecc", "sccache"]);
    expect((await probeLaunchers({ PATH: process.env.PATH, ORCJIT_COMPILER_LAUNCHER: "ccache" })).problem).toBeUndefined();
  });

  it("a launcher that cannot be started is named in the error", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "a.c"), "int a(void) { return 1; }\n");
    const err = await compileUnits([{ source: join(dir, "a.c") }], { cacheDir: join(dir, "cache"), launcher: join(dir, "no-such-launcher") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolchainError);
    expect((err as Error).message).toContain(`cannot run ${join(dir, "no-such-launcher")} (the compiler launcher)`);
  });
});

describe.each(TOOLCHAINS)("launchers with $name", (tc) => {
  it("ccache: a second build with a cleared object cache is served by ccache", async () => {
    const dir = await tempDir();
    const ccacheDir = join(dir, "ccache");
    const cacheDir = join(dir, "cache");
    const env: NodeJS.ProcessEnv = { ...process.env, CCACHE_DIR: ccacheDir };
    delete env.CCACHE_DISABLE;
    delete env.CCACHE_RECACHE;
    const opts = { name: `cc_${tc.name}`, cppSources: "int64_t add(int64_t a, int64_t b) { return a + b; }", functions: ["add"] as const, cacheDir, compiler: tc.cxx, launcher: "ccache", env };
    const first = await loadInline(opts);
    expect(first.add(40, 2)).toBe(42);
    const afterFirst = ccacheStats(ccacheDir);
    first.dispose();
    await cache.clear({ cacheDir });
    // Same name (same generated file path: ccache hashes it), and a new session.
    const second = await loadInline({ ...opts, session: new ExecutionSession() });
    expect(second.add(40, 2)).toBe(42);
    expect(second.objects[0]!.cacheHit).toBe(false); // our cache was empty: the compile ran, through ccache
    const stats = ccacheStats(ccacheDir);
    const hits = (s: Record<string, number>): number => (s.direct_cache_hit ?? 0) + (s.preprocessed_cache_hit ?? 0);
    expect(hits(stats)).toBeGreaterThan(hits(afterFirst));
    // The object's dependencies are our own scan's: the prelude's headers are there.
    expect(second.objects[0]!.dependencies.some((d) => d.endsWith("tvm/ffi/function.h"))).toBe(true);
    second.dispose();
  });

  it("the object key does not change with a launcher; a caching launcher is never asked for a depfile", async () => {
    const dir = await tempDir();
    mkdirSync(join(dir, "inc"));
    writeFileSync(join(dir, "inc", "v.h"), "#define V 1\n");
    writeFileSync(join(dir, "k.cc"), '#include "v.h"\nint k() { return V; }\n');
    // A "sccache" (recognised by its name) that records its arguments and runs the compiler.
    const bin = join(dir, "bin");
    mkdirSync(bin);
    const log = join(dir, "launcher.log");
    writeFileSync(join(bin, "sccache"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec "$@"\n`);
    chmodSync(join(bin, "sccache"), 0o755);
    const unit = { source: join(dir, "k.cc"), includeDirs: [join(dir, "inc")] };
    const [plain] = await compileUnits([unit], { cacheDir: join(dir, "c1"), compiler: tc.cxx });
    const [launched] = await compileUnits([unit], { cacheDir: join(dir, "c2"), compiler: tc.cxx, launcher: join(bin, "sccache") });
    expect(launched!.cacheHit).toBe(false);
    expect(launched!.key).toBe(plain!.key);
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain(tc.cxx);
    expect(calls[0]).not.toMatch(/-MMD|-MF/);
    expect(launched!.dependencies).toEqual([join(dir, "inc", "v.h")]);
    // The scanned dependency is live: editing it is a miss.
    writeFileSync(join(dir, "inc", "v.h"), "#define V 2\n");
    const [edited] = await compileUnits([unit], { cacheDir: join(dir, "c2"), compiler: tc.cxx, launcher: join(bin, "sccache") });
    expect(edited!.cacheHit).toBe(false);
    expect(edited!.key).not.toBe(launched!.key);
  });
});

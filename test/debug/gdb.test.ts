// Debugger support (docs/debugging.md): with `debug: true` every linked object is registered
// through the GDB JIT interface, so a real gdb, started before the kernel exists, resolves
// pending breakpoints by function name and by file:line, stops, shows the kernel frame, prints
// locals at -O0 and steps by line. Disposing a library takes its entries off the list.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIST = JSON.stringify(pathToFileURL(join(ROOT, "dist/index.js")).href);
// The addon as the package loads it (initialized with the value factories): src/values/native.ts.
const BINDING = JSON.stringify(pathToFileURL(join(ROOT, "dist/values/native.js")).href);

const hasGdb = spawnSync("gdb", ["--version"], { encoding: "utf8" }).status === 0;
const hasLldb = spawnSync("lldb-22", ["--version"], { encoding: "utf8" }).status === 0;

// The kernel as the user writes it: line numbers below refer to this text.
const KERNEL = `int64_t dbg_target(int64_t n) {
  int64_t acc = 0;
  for (int64_t i = 0; i < n; ++i) {
    acc += i * 3;
  }
  return acc;
}
`;

/** Runs `node <script>` under `gdb -batch` with the given commands; returns gdb's output. */
function underGdb(script: string, commands: string[], env: NodeJS.ProcessEnv = {}): string {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), "orcjit-gdb-"));
  const app = join(dir, "app.mjs");
  writeFileSync(app, script);
  const cmds = join(dir, "cmds.gdb");
  writeFileSync(cmds, ["set breakpoint pending on", "set pagination off", "set confirm off", ...commands, "kill", ""].join("\n"));
  const p = spawnSync("gdb", ["-batch", "-nx", "-x", cmds, "--args", process.execPath, app], {
    cwd: dir,
    env: { ...process.env, ORCJIT_CACHE_DIR: join(dir, "cache"), ...env },
    encoding: "utf8",
    timeout: 240_000,
  });
  return `${p.stdout}\n${p.stderr}`;
}

/** The same with lldb-22 (`--batch`, one `-o` per command). */
function underLldb(script: string, commands: string[]): string {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), "orcjit-lldb-"));
  const app = join(dir, "app.mjs");
  writeFileSync(app, script);
  const p = spawnSync("lldb-22", ["--batch", "--no-lldbinit", ...commands.flatMap((c) => ["-o", c]), "-o", "kill", "--", process.execPath, app], {
    cwd: dir,
    env: { ...process.env, ORCJIT_CACHE_DIR: join(dir, "cache") },
    encoding: "utf8",
    timeout: 240_000,
  });
  return `${p.stdout}\n${p.stderr}`;
}

const inlineScript = (opts: string) => `
const { loadInline } = await import(${DIST});
const m = await loadInline({ name: "dbgk", cppSources: ${JSON.stringify(KERNEL)}, functions: ["dbg_target"], ${opts} });
console.log("RESULT " + m.dbg_target(5));
`;

describe.skipIf(!hasGdb)("gdb through the GDB JIT interface", () => {
  it("a pending breakpoint by function name resolves and stops; bt shows the kernel; locals print; next steps by line", () => {
    const out = underGdb(inlineScript("debug: true, optLevel: 0"), [
      "break dbg_target",
      "run",
      "bt",
      "info args",
      "next",
      "next",
      "next",
      "print acc",
      "print i",
      "info symbol $pc",
      "continue",
    ]);
    expect(out).toMatch(/Breakpoint 1 \(dbg_target\) pending/);
    // stops in the kernel, at the user's file (not the generated wrapper) and line 2
    expect(out).toMatch(/hit Breakpoint 1, dbg_target \(n=5\) at \S*cpp_source\.cc:2/);
    // the backtrace starts in the kernel and goes on through the export wrapper
    expect(out).toMatch(/#0 {2}dbg_target \(n=5\) at \S*cpp_source\.cc:2/);
    expect(out).toMatch(/#1 .* in .*(CallImpl|__tvm_ffi_dbg_target)/);
    expect(out).toMatch(/^n = 5$/m);
    // next, next, next: line 3 (for), line 4 (body), line 3 again... acc and i are readable
    expect(out).toMatch(/^3\t {2}for \(int64_t i = 0; i < n; \+\+i\) \{$/m);
    expect(out).toMatch(/^4\t {4}acc \+= i \* 3;$/m);
    expect(out).toMatch(/^\$1 = 0$/m);
    expect(out).toMatch(/^\$2 = [01]$/m);
    expect(out).toMatch(/dbg_target\(long\) \+ \d+ in section \.text/);
    expect(out).toMatch(/RESULT 30/);
  }, 300_000);

  it("a pending breakpoint by file:line of the inline source stops on every iteration", () => {
    const out = underGdb(inlineScript("debug: true, optLevel: 0"), [
      "break cpp_source.cc:4",
      "run",
      "print i",
      "continue",
      "print i",
      "print acc",
      "delete",
      "continue",
    ]);
    expect(out).toMatch(/Breakpoint 1 \(cpp_source\.cc:4\) pending/);
    expect(out).toMatch(/hit Breakpoint 1, dbg_target \(n=5\) at \S*cpp_source\.cc:4/);
    expect(out).toMatch(/^\$1 = 0$/m);
    expect(out).toMatch(/^\$2 = 1$/m);
    expect(out).toMatch(/^\$3 = 0$/m);
    expect(out).toMatch(/RESULT 30/);
  }, 300_000);

  it("works the same for a gcc-compiled kernel", () => {
    const out = underGdb(inlineScript('debug: true, optLevel: 0, compiler: "gcc"'), ["break cpp_source.cc:4", "run", "bt 1", "print i", "continue", "print i", "delete", "continue"]);
    expect(out).toMatch(/hit Breakpoint 1, dbg_target \(n=5\) at \S*cpp_source\.cc:4/);
    expect(out).toMatch(/^#0 {2}dbg_target \(n=5\) at \S*cpp_source\.cc:4/m);
    expect(out).toMatch(/^\$1 = 0$/m);
    expect(out).toMatch(/^\$2 = 1$/m);
    expect(out).toMatch(/RESULT 30/);
  }, 300_000);

  it("a breakpoint by file:line of a manifest source (debug: true in a profile) stops there", () => {
    const dir = mkdtempSync(join(tmpdir(), "orcjit-gdb-proj-"));
    writeFileSync(join(dir, "kern.cc"), KERNEL);
    writeFileSync(
      join(dir, "orcjit.yaml"),
      "version: 1\nlibraries:\n  k:\n    sources:\n      - { path: kern.cc, functions: [dbg_target] }\nprofiles:\n  dbg:\n    defaults: { optLevel: 0, debug: true }\n",
    );
    const script = `
const { loadProject } = await import(${DIST});
const project = await loadProject(${JSON.stringify(dir)}, { profile: "dbg", cacheDir: ${JSON.stringify(join(dir, ".cache"))} });
await project.load();
console.log("RESULT " + project.library("k").getFunction("dbg_target")(4));
project.dispose();
`;
    const out = underGdb(script, ["break kern.cc:4", "run", "bt 1", "print acc", "continue 3", "print acc", "delete", "continue"]);
    expect(out).toMatch(/Breakpoint 1 \(kern\.cc:4\) pending/);
    expect(out).toMatch(/hit Breakpoint 1, dbg_target \(n=4\) at \S*kern\.cc:4/);
    expect(out).toMatch(/^#0 {2}dbg_target \(n=4\) at \S*kern\.cc:4/m);
    expect(out).toMatch(/^\$1 = 0$/m);
    expect(out).toMatch(/^\$2 = 9$/m); // 0 + 3 + 6 before the 4th iteration
    expect(out).toMatch(/RESULT 18/);
  }, 300_000);

  it("without debug nothing is registered: gdb does not know the kernel", () => {
    const out = underGdb(inlineScript("optLevel: 0"), ["break dbg_target", "run"]);
    expect(out).toMatch(/RESULT 30/);
    expect(out).not.toMatch(/hit Breakpoint 1/);
  }, 300_000);

  it("ORCJIT_DEBUGGER=1 registers every library, compiled with -g", () => {
    const out = underGdb(inlineScript("optLevel: 0"), ["break cpp_source.cc:4", "run", "print i", "delete", "continue"], { ORCJIT_DEBUGGER: "1" });
    expect(out).toMatch(/hit Breakpoint 1, dbg_target \(n=5\) at \S*cpp_source\.cc:4/);
    expect(out).toMatch(/^\$1 = 0$/m);
    expect(out).toMatch(/RESULT 30/);
  }, 300_000);

  it("after dispose gdb no longer resolves the kernel, and reloads under gdb keep working", () => {
    const script = `
const { ExecutionSession, loadInline } = await import(${DIST});
const { addon } = await import(${BINDING});
const b = addon();
const session = new ExecutionSession();
const m = await loadInline({ name: "gone", cppSources: ${JSON.stringify(KERNEL)}, functions: ["dbg_target"], debug: true, optLevel: 0, session });
m.dbg_target(1);
const loaded = b.debuggerEntryCount();
process.kill(process.pid, "SIGTRAP"); // checkpoint 1 for gdb: the kernel is registered
m.library.dispose();
console.log("COUNTS " + loaded + " " + b.debuggerEntryCount());
process.kill(process.pid, "SIGTRAP"); // checkpoint 2: it is gone
for (let i = 0; i < 20; ++i) {
  const lib = session.createLibrary("re" + i, { debug: true });
  lib.add(m.objects[0].objectPath);
  lib.getFunction("dbg_target")(2);
  lib.dispose();
}
console.log("AFTER " + b.debuggerEntryCount());
`;
    const out = underGdb(script, [
      "handle SIGTRAP stop nopass",
      "run",
      "echo CHECK1\\n",
      "info functions ^dbg_target",
      "continue",
      "echo CHECK2\\n",
      "info functions ^dbg_target",
      "continue",
    ]);
    expect(out).toMatch(/COUNTS 1 0/);
    expect(out).toMatch(/AFTER 0/);
    const first = out.slice(out.indexOf("CHECK1"), out.indexOf("CHECK2"));
    const second = out.slice(out.indexOf("CHECK2"));
    expect(out.indexOf("CHECK1")).toBeGreaterThan(0);
    expect(out.indexOf("CHECK2")).toBeGreaterThan(0);
    expect(first).toMatch(/dbg_target\(long\)/);
    expect(second).not.toMatch(/dbg_target\(long\)/);
  }, 300_000);
});

describe.skipIf(!hasLldb)("lldb through the GDB JIT interface", () => {
  it("resolves breakpoints by name and file:line, shows the kernel frame, prints locals and steps", () => {
    // pch: false — no background precompiled-header build whose exit (SIGCHLD) could land in
    // the middle of lldb's `next` and cut the step short (a CI run saw `acc` read before its store)
    const out = underLldb(inlineScript("debug: true, optLevel: 0, pch: false"), [
      "settings set plugin.jit-loader.gdb.enable on",
      "breakpoint set -f cpp_source.cc -l 4",
      "breakpoint set -n dbg_target",
      "run",
      "bt 2",
      "next",
      "frame variable acc",
      "continue",
      "frame variable i",
      "continue",
      "frame variable i",
    ]);
    expect(out).toMatch(/stop reason = breakpoint 2\.1\s+frame #0: 0x[0-9a-f]+ JIT\(0x[0-9a-f]+\)`dbg_target\(n=5\) at cpp_source\.cc:2/);
    expect(out).toMatch(/frame #1: .*JIT\(0x[0-9a-f]+\)`.*CallImpl/);
    expect(out).toMatch(/stop reason = step over\s+frame #0: .*dbg_target\(n=5\) at cpp_source\.cc:3/);
    expect(out).toMatch(/\(int64_t\) acc = 0/);
    expect(out).toMatch(/stop reason = breakpoint 1\.1\s+frame #0: .*dbg_target\(n=5\) at cpp_source\.cc:4/);
    expect(out).toMatch(/\(int64_t\) i = 0/);
    expect(out).toMatch(/\(int64_t\) i = 1/);
  }, 300_000);
});

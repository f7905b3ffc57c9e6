// NativeCrashError carries the source file and line of the faulting instruction when the
// library was built with `debug: true` (the DWARF of its registered objects, docs/debugging.md),
// and null for both otherwise. The crash runs in a child process.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// Line 3 dereferences the pointer; with -O2 the whole function is one line.
const KERNEL = `int64_t deref_at(int64_t p) {
  int64_t* q = reinterpret_cast<int64_t*>(p);
  return *q + 1;
}
`;

function crash(opts: string): Record<string, unknown> {
  ensureBuilt();
  const script = `
const { loadInline, NativeCrashError } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist/index.js")).href)});
const m = await loadInline({ name: "crash_line", cppSources: ${JSON.stringify(KERNEL)}, functions: ["deref_at"], ${opts} });
try { m.deref_at(0); console.log("RESULT null"); }
catch (e) { console.log("RESULT " + JSON.stringify({ crash: e instanceof NativeCrashError, message: e.message, file: e.file, line: e.line, symbol: e.symbol, signal: e.signal })); }
`;
  const p = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, ORCJIT_CACHE_DIR: join(mkdtempSync(join(tmpdir(), "orcjit-crashline-")), "cache") },
    encoding: "utf8",
  });
  const line = p.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (p.status !== 0 || !line) throw new Error(`child failed (${p.status} ${p.signal}):\n${p.stdout}\n${p.stderr}`);
  return JSON.parse(line.slice(7)) as Record<string, unknown>;
}

describe("NativeCrashError source line", () => {
  it("names the file and line of a null dereference in a debug kernel", () => {
    const r = crash("debug: true, optLevel: 0");
    expect(r.crash).toBe(true);
    expect(r.signal).toBe("SIGSEGV");
    expect(r.file).toMatch(/cpp_source\.cc$/); // the user's text, not the generated unit
    expect(r.line).toBe(3);
    expect(r.message).toMatch(/cpp_source\.cc:3 \(fault address 0x0\)/);
    expect(r.symbol).toMatch(/^_Z8deref_atl\+0x/);
  }, 300_000);

  it("names the line of a gcc-compiled kernel (gcc also emits .debug_aranges)", () => {
    const r = crash('debug: true, optLevel: 0, compiler: "gcc"');
    expect(r.file).toMatch(/cpp_source\.cc$/);
    expect(r.line).toBe(3);
    expect(r.message).toMatch(/cpp_source\.cc:3 \(fault address 0x0\)/);
  }, 300_000);

  it("has the line at -O2 too", () => {
    const r = crash("debug: true, optLevel: 2");
    expect(r.file).toMatch(/cpp_source\.cc$/);
    expect([1, 2, 3]).toContain(r.line);
  }, 300_000);

  it("is null without debug information", () => {
    const r = crash("optLevel: 0");
    expect(r.crash).toBe(true);
    expect(r.file).toBeNull();
    expect(r.line).toBeNull();
    expect(r.message).not.toMatch(/cpp_source/);
  }, 300_000);
});

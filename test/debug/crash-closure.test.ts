// Function values called from JS (a closure a kernel returned) run under the crash guard like
// library exports: a fault becomes NativeCrashError naming the function and, with debug info,
// the source line; the library that made the closure is poisoned. In a child process.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const SOURCE = `namespace ffi = tvm::ffi;
ffi::Function make_reader(int64_t bias) {
  return ffi::Function::FromTyped([bias](int64_t p) -> int64_t {
    return *reinterpret_cast<volatile int64_t*>(p) + bias;
  });
}
int64_t healthy(int64_t x) { return x + 1; }
`;

function run(env: NodeJS.ProcessEnv = {}): { status: number | null; signal: string | null; result?: Record<string, unknown>; out: string } {
  ensureBuilt();
  const script = `
const { loadInline, NativeCrashError } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist/index.js")).href)});
const m = await loadInline({ name: "closures", cppSources: ${JSON.stringify(SOURCE)}, functions: ["make_reader", "healthy"], debug: true, optLevel: 0 });
const other = await loadInline({ name: "bystander", cppSources: "int64_t twice(int64_t x) { return 2 * x; }", functions: ["twice"] });
const read = m.make_reader(5);
const out = {};
try { read(0); out.crashed = false; } catch (e) {
  out.crashed = e instanceof NativeCrashError;
  out.message = e.message; out.signal = e.signal; out.library = e.library; out.function = e.function; out.file = e.file; out.line = e.line;
}
try { m.healthy(1); out.exportAfter = "answered"; } catch (e) { out.exportAfter = e.constructor.name + ": " + e.message; }
out.bystander = other.twice(21);
console.log("RESULT " + JSON.stringify(out));
`;
  const p = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, ORCJIT_CACHE_DIR: join(mkdtempSync(join(tmpdir(), "orcjit-closure-")), "cache"), ...env },
    encoding: "utf8",
  });
  const line = p.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  return { status: p.status, signal: p.signal, out: p.stdout + p.stderr, ...(line ? { result: JSON.parse(line.slice(7)) as Record<string, unknown> } : {}) };
}

describe("crash guard on Function values", () => {
  it("a crashing closure returned by a kernel throws NativeCrashError with its source line", () => {
    const r = run();
    expect(r.status, r.out).toBe(0);
    const x = r.result!;
    expect(x.crashed).toBe(true);
    expect(x.signal).toBe("SIGSEGV");
    expect(x.library).toBe("closures");
    expect(x.file).toMatch(/cpp_source\.cc$/);
    expect(x.line).toBe(4);
    expect(x.message).toMatch(/^SIGSEGV in function '.*' of library 'closures' at .*cpp_source\.cc:4 \(fault address 0x0\)/);
    // the library that made the closure is poisoned; others keep answering
    expect(x.exportAfter).toMatch(/^NativeCrashError: library 'closures' crashed earlier/);
    expect(x.bystander).toBe(42);
  }, 300_000);

  it("with containment off the same fault kills the process (as in C++)", () => {
    const r = run({ ORCJIT_CRASH_GUARD: "0" });
    expect(r.result).toBeUndefined();
    expect(r.signal).toBe("SIGSEGV");
  }, 300_000);
});

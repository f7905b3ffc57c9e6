// Crash containment (issue 15, docs/debugging.md): faults in JIT code become
// NativeCrashError, the library is poisoned, everything else keeps working; faults
// outside JIT code still kill the process as before. Every case runs in a child process.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cpSync } from "node:fs";
import { ensureBuilt, tempDir } from "../cli/helpers.js";
import { runNodeChild, type ChildOutcome } from "../helpers/node-child.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./crash-child.mjs", import.meta.url));

// The child's JSON report; its shape is what the assertions below check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON from a child process, checked field by field
type Report = Record<string, any>;

type Outcome = ChildOutcome<Report>;

function runChild(which: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  ensureBuilt();
  return runNodeChild<Report>(["--expose-gc", SCRIPT, join(ROOT, "dist"), which, ...extra], env);
}

function survived(o: Outcome): Report {
  if (o.signal !== null || o.code !== 0 || !o.result)
    throw new Error(`child: code ${o.code}, signal ${o.signal}\n--- stdout\n${o.stdout}\n--- stderr\n${o.stderr}`);
  return o.result;
}

describe("crash containment", () => {
  it("turns each kind of fault into NativeCrashError and poisons only that library", async () => {
    const r = survived(await runChild("kinds"));
    const expected: Record<string, [string, string]> = {
      segv: ["SIGSEGV", "segv"],
      fpe: ["SIGFPE", "fpe"],
      ill: ["SIGILL", "ill"],
      trap: ["SIGTRAP", "trap"],
      overflow: ["SIGSEGV", "deep"],
      bus: ["SIGBUS", "bus"],
    };
    for (const [kind, [signal, symbol]] of Object.entries(expected)) {
      const { first, again, healthy } = r[kind];
      expect(first.isCrash, kind).toBe(true);
      expect(first.name).toBe("NativeCrashError");
      expect(first.signal, kind).toBe(signal);
      expect(first.library).toBe("crash_" + kind);
      expect(first.message).toContain("reload or dispose");
      // The symbol names the JIT function holding the faulting instruction (mangled C++).
      expect(first.symbol, kind).toMatch(new RegExp(symbol));
      expect(again.isCrash, kind).toBe(true);
      expect(again.message).toMatch(/crashed earlier/);
      expect(healthy).toBe(42);
    }
    expect(r.segv.first.address).toBe("0x0");
    expect(r.reloaded).toBe(10);
    // V8's WebAssembly trap handler (installed before ours) still gets its faults.
    expect(r.wasm).toMatch(/^RuntimeError: memory access out of bounds/);
  }, 300_000);

  it("survives 1,000 crashes across libraries with bounded memory", async () => {
    const r = survived(await runChild("many", ["1000"]));
    // The same loads and disposals without crashes: what reloading alone costs in memory.
    const free = survived(await runChild("many", ["1000"], { CRASH_FREE: "1" }));
    expect(free.crashes).toBe(0);
    expect(r.crashes).toBe(1000);
    expect(r.poisoned).toBe(1000);
    expect(r.healthyOk).toBe(1000);
    for (const s of ["SIGSEGV", "SIGFPE", "SIGILL", "SIGTRAP", "SIGBUS"]) expect(r.bySignal[s]).toBeGreaterThan(100);
    expect(r.libraries).toBeLessThanOrEqual(9);
    // Each crash may leak what the kernel held (its frames are abandoned, here a 4 KiB
    // mapping of the SIGBUS kernel) and the stack pages the overflow touched once; the rest
    // of the growth is reloading, which the crash-free run measures.
    console.log(`RSS growth over crashes 100..1000: ${r.rssGrowthMiB.toFixed(1)} MiB; same reloads without crashes: ${free.rssGrowthMiB.toFixed(1)} MiB`);
    expect(r.rssGrowthMiB).toBeLessThan(free.rssGrowthMiB + 32);
    expect(r.wasm).toMatch(/^RuntimeError/);
  }, 600_000);

  it("contains crashes on worker threads while the main thread keeps calling", async () => {
    const r = survived(await runChild("workers", ["60"]));
    for (const w of r.workers) {
      expect(w.crashes).toBe(60);
      expect(w.poisoned).toBe(60);
    }
    expect(r.mainCalls).toBeGreaterThan(0);
    expect(r.healthy).toBe(42);
  }, 600_000);

  it("in watch mode: reports the crash as an error event and serves the next good edit", async () => {
    const dir = tempDir("orcjit-crash-watch-");
    cpSync(join(ROOT, "test/watch/fixtures/hot"), dir, { recursive: true });
    const r = survived(await runChild("watch", [dir]));
    expect(r.crash.isCrash).toBe(true);
    expect(r.crash.signal).toBe("SIGSEGV");
    expect(r.again.message).toMatch(/crashed earlier/);
    expect(r.errors.length).toBe(1);
    expect(r.errors[0].signal).toBe("SIGSEGV");
    expect(r.after).toBe(r.before + 7);
  }, 300_000);

  it("passes a fault inside libc (called by a kernel) on: the process dies as before", async () => {
    const o = await runChild("libc-fault");
    expect(o.result).toBeUndefined();
    expect(o.signal).toBe("SIGSEGV");
  }, 300_000);

  it("passes a SIGSEGV sent by kill on: the process dies as before", async () => {
    const o = await runChild("kill-segv");
    expect(o.result).toBeUndefined();
    expect(o.signal).toBe("SIGSEGV");
  }, 300_000);

  it("is off with ORCJIT_CRASH_GUARD=0", async () => {
    const o = await runChild("guard-off", [], { ORCJIT_CRASH_GUARD: "0" });
    expect(o.result).toBeUndefined();
    expect(o.signal).toBe("SIGSEGV");
  }, 300_000);
});

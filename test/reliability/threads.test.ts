// Native entry points from several worker_threads at once (issue 13): libraries created,
// linked, called and disposed; JS and C++ global functions registered and called from JIT
// code; JS callbacks; loadInline on one shared cache; the main thread working meanwhile.
// Runs test/reliability/threads-worker.mjs in a child process. CI size: 4 workers × 150
// cycles (ORCJIT_THREADS_WORKERS / ORCJIT_THREADS_CYCLES for the full 8 × 2,000 run;
// scripts/tsan.sh runs it under ThreadSanitizer).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE_OUT } from "../helpers/fixtures.js";
import { record, ROOT, tmp } from "./helpers.js";

const WORKERS = Number(process.env.ORCJIT_THREADS_WORKERS ?? 4);
const CYCLES = Number(process.env.ORCJIT_THREADS_CYCLES ?? 150);

describe("worker threads", () => {
  it(`${WORKERS} workers × ${CYCLES} create/add/call/dispose cycles with globals, callbacks and loadInline: 0 errors`, async () => {
    const cacheDir = join(tmp("threads"), "cache");
    const args = [join(ROOT, "test/reliability/threads-worker.mjs"), join(ROOT, "dist"), join(FIXTURE_OUT, "gcc"), cacheDir, String(WORKERS), String(CYCLES)];
    const r = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    expect({ code: r.code, signal: r.signal }, r.stderr.slice(-3000)).toEqual({ code: 0, signal: null });
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { errors: number; messages: string[]; mainCycles: number; ms: number };
    expect(out.messages).toEqual([]);
    expect(out.errors).toBe(0);
    record("threads", {
      door: "worker_threads",
      input: `${WORKERS} workers × ${CYCLES} cycles (library create/add/call/dispose, JS + C++ globals via JIT code, callbacks, loadInline on one cache) + ${out.mainCycles} main-thread cycles`,
      count: WORKERS * CYCLES,
      held: "0 errors, no crash",
      durationMs: out.ms,
    });
  });
});

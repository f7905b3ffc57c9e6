// The pool's idle workers spin briefly for the next call after a task (docs/async.md "Cost"),
// which must never turn into CPU burnt while the process idles: a child process makes async
// calls, then idles for 1 s, and reports the CPU time all its threads used in that second.
// (A worker that kept spinning would use most of that second; an idle Node process uses ~0.)
// Back-to-back calls are also where the caller may wait for a spinning worker and settle the
// Promise itself (binding/async_call.cc WaitForResult): results and errors must be the same,
// and such a loop must still let the event loop run (setImmediate ticks meanwhile).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../cli/helpers.js";
import { runNodeChild } from "../helpers/node-child.js";

interface IdleResult {
  sum: number;
  ticks: number;
  evens: number;
  oddErrors: number;
  wrong: string[];
  idleCpuMs: number;
  busyCpuMs: number;
}

let dir: string;
let child: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), "orcjit-async-idle-"));
  child = path.join(dir, "idle-child.mjs");
  const entry = pathToFileURL(path.join(repoRoot, "dist/index.js")).href;
  writeFileSync(
    child,
    `import { loadInline } from ${JSON.stringify(entry)};
const mod = await loadInline({ name: "idle_cpu", cppSources: "int64_t add(int64_t a, int64_t b) { return a + b; }\\n" +
  "int64_t even_only(int64_t x) { if (x % 2) throw std::invalid_argument(\\"odd \\" + std::to_string(x)); return x; }",
  functions: ["add", "even_only"], cacheDir: ${JSON.stringify(path.join(dir, "cache"))} });
const cpuMs = (u) => (u.user + u.system) / 1000;
const busy0 = process.cpuUsage();
let sum = 0, ticks = 0, ticking = true;
const tick = () => { ticks++; if (ticking) setImmediate(tick); };
setImmediate(tick);
for (let i = 0; i < 3000; i++) sum += await mod.add.async(i, 1);           // sequential: the pool spins
ticking = false;
const all = await Promise.all(Array.from({ length: 2000 }, (_, i) => mod.add.async(i, 1)));
sum += all.reduce((a, b) => a + b, 0);
let evens = 0, oddErrors = 0;
const wrong = [];
for (let i = 0; i < 2000; i++) {                                          // resolve, reject, resolve...
  try {
    const v = await mod.even_only.async(i);
    if (i % 2 === 0 && v === i) evens++; else wrong.push("resolved " + i + " -> " + v);
  } catch (e) {
    let sync;
    try { mod.even_only(i); } catch (se) { sync = se; }                     // the same error as a sync call
    if (i % 2 === 1 && e.message.includes("odd " + i) && e.kind === sync?.kind && e.message === sync.message) oddErrors++;
    else wrong.push("rejected " + i + ": " + e.kind + " " + e.message);
  }
}
const busyCpuMs = cpuMs(process.cpuUsage(busy0));
const idle0 = process.cpuUsage();
await new Promise((res) => setTimeout(res, 1000));                         // idle: nothing may spin
const idleCpuMs = cpuMs(process.cpuUsage(idle0));
console.log("RESULT " + JSON.stringify({ sum, ticks, evens, oddErrors, wrong: wrong.slice(0, 5), idleCpuMs, busyCpuMs }));
`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pool spinning is bounded", () => {
  for (const spin of [undefined, "0", "2000"]) {
    it(`an idle process uses ~no CPU after async calls (ORCJIT_POOL_SPIN_US=${spin ?? "default"})`, async () => {
      // "" = not a number: the default (whatever this process's environment says)
      const run = await runNodeChild<IdleResult>([child], { ORCJIT_POOL_SPIN_US: spin ?? "" });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const r = run.result!;
      // sum over i of (i + 1): 3000 sequential and 2000 concurrent calls all returned
      expect(r.sum).toBe((3000 * 3001) / 2 + (2000 * 2001) / 2);
      expect(r.wrong).toEqual([]);
      // at least every 33rd call goes through the event loop (kMaxInlineStreak = 32)
      expect(r.ticks).toBeGreaterThanOrEqual(50);
      expect([r.evens, r.oddErrors]).toEqual([1000, 1000]);
      // A CPU budget, not a latency: a worker still spinning would use ~1000 ms of this second
      // (hundreds even when it yields to other processes); 100 ms leaves room for Node's own
      // housekeeping (GC, timers) on a busy machine.
      expect(r.idleCpuMs).toBeLessThan(100);
    });
  }
});

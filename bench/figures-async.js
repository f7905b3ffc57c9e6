// Async call figures (docs/async.md), one run, baselines from the same run:
//   - async round trip of a no-op (sequential `await noop.async()`), target <= 5 us, next to an
//     `fs.promises.stat` round trip;
//   - throughput of many concurrent small calls (Promise.all of `add.async`);
//   - the sync call of the same no-op (must not get slower: compare with bench/results figures).
//   - same-run baselines: `await Promise.resolve()` (no thread hop) and a `setImmediate` round
//     trip (one event-loop turn, no thread hop), and the load average (2-core CI boxes shared
//     by other jobs swing the absolute figures 2-5x; the ratios hold better).
// Run: npm run build:ts && node bench/figures-async.js [--json out.json]
//   (ORCJIT_POOL_SPIN_US=0 for no spinning of idle pool workers; docs/async.md "Cost")
import { stat } from "node:fs/promises";
import { loadavg } from "node:os";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { loadInline, asyncThreads } = await import(pathToFileURL(path.join(root, "dist/index.js")).href);

const C = `
int __tvm_ffi_noop(void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  (void)self; (void)args; (void)n; result->type_index = kTVMFFINone; result->zero_padding = 0; result->v_int64 = 0; return 0;
}
int __tvm_ffi_add(void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  (void)self; (void)n; result->type_index = kTVMFFIInt; result->zero_padding = 0; result->v_int64 = args[0].v_int64 + args[1].v_int64; return 0;
}`;
const cacheDir = mkdtempSync(path.join(tmpdir(), "orcjit-bench-async-"));
const mod = await loadInline({ name: "bench_async", cSources: C, cacheDir });
const noop = mod.getFunction("noop");
const add = mod.getFunction("add");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function perCall(n, body) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await body();
  return Number(process.hrtime.bigint() - t0) / n;
}
function perCallSync(n, body) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) body();
  return Number(process.hrtime.bigint() - t0) / n;
}

/** Context switches of all this process's threads (Linux): sleeps and wake-ups, load-independent. */
function contextSwitches() {
  if (!existsSync("/proc/self/task")) return NaN;
  let n = 0;
  for (const t of readdirSync("/proc/self/task")) {
    try {
      const m = readFileSync(`/proc/self/task/${t}/status`, "utf8").match(/^voluntary_ctxt_switches:\s+(\d+)/m);
      if (m) n += Number(m[1]);
    } catch {
      // the thread ended
    }
  }
  return n;
}

/** Busy and total jiffies of all cores (/proc/stat), to tell how busy OTHER processes kept the box. */
function cpuJiffies() {
  if (!existsSync("/proc/stat")) return undefined;
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

const rounds = 7;
const r = { syncNoopNs: [], asyncNoopNs: [], statNs: [], promiseNs: [], immediateNs: [], sleepsPerCall: [], cpuPerCallUs: [], othersBusy: [], concurrentCallsPerSec: [] };
const loadBefore = loadavg()[0];
// warm up
await perCall(2000, () => noop.async());
perCallSync(100000, () => noop());
for (let k = 0; k < rounds; k++) {
  r.syncNoopNs.push(perCallSync(1_000_000, () => noop()));
  const cs0 = contextSwitches();
  const cpu0 = process.cpuUsage();
  const j0 = cpuJiffies();
  r.asyncNoopNs.push(await perCall(20_000, () => noop.async()));
  const cpu = process.cpuUsage(cpu0);
  const j1 = cpuJiffies();
  if (j0 && j1 && j1.total > j0.total) r.othersBusy.push(Math.max(0, (j1.busy - j0.busy - ((cpu.user + cpu.system) / 1e6) * 100) / (j1.total - j0.total)));
  r.sleepsPerCall.push((contextSwitches() - cs0) / 20_000);
  r.cpuPerCallUs.push((cpu.user + cpu.system) / 20_000);
  r.statNs.push(await perCall(5_000, () => stat(root)));
  r.promiseNs.push(await perCall(200_000, () => Promise.resolve()));
  r.immediateNs.push(await perCall(20_000, () => new Promise((res) => setImmediate(res))));
  const n = 10_000;
  const t0 = process.hrtime.bigint();
  const out = await Promise.all(Array.from({ length: n }, (_, i) => add.async(i, 1)));
  const ns = Number(process.hrtime.bigint() - t0);
  if (out[n - 1] !== n) throw new Error("wrong result");
  r.concurrentCallsPerSec.push(n / (ns / 1e9));
}
const result = {
  node: process.version,
  poolThreads: asyncThreads(),
  syncNoopNs: median(r.syncNoopNs),
  asyncNoopUs: median(r.asyncNoopNs) / 1000,
  // voluntary context switches (a thread blocked, then was woken) per sequential async no-op
  asyncNoopSleepsPerCall: median(r.sleepsPerCall),
  // CPU time of all threads per sequential async no-op (the pool's spinning shows here)
  asyncNoopCpuUs: median(r.cpuPerCallUs),
  // share of all cores' time OTHER processes (and steal) used during those calls: 0 = idle box
  // (assumes USER_HZ = 100)
  othersBusyDuringAsync: r.othersBusy.length ? Number(median(r.othersBusy).toFixed(3)) : null,
  fsStatUs: median(r.statNs) / 1000,
  promiseResolveUs: median(r.promiseNs) / 1000,
  setImmediateUs: median(r.immediateNs) / 1000,
  poolSpinUs: process.env.ORCJIT_POOL_SPIN_US ?? "default",
  loadAverage1m: [loadBefore, loadavg()[0]],
  concurrentCallsPerSec: Math.round(median(r.concurrentCallsPerSec)),
  target: "async no-op round trip <= 5 us",
};
result.met = result.asyncNoopUs <= 5;
console.log(JSON.stringify(result, null, 2));
const i = process.argv.indexOf("--json");
if (i > 0) writeFileSync(process.argv[i + 1], JSON.stringify(result, null, 2) + "\n");

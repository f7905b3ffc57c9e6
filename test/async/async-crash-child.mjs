// Crash containment on the async pool (test/async/async-crash.test.ts), one case per process:
//   node async-crash-child.mjs <dist dir> <cache dir> <case>
// Prints "RESULT <json>" when the process survived.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const [dist, cacheDir, which] = isMainThread ? process.argv.slice(2) : workerData;
const { loadInline, ExecutionSession, NativeCrashError } = await import(pathToFileURL(join(dist, "index.js")).href);

const KERNELS = `
#include <cstdint>
int64_t ok(int64_t x) { return x + 1; }
int64_t segv(int64_t addr) { return *reinterpret_cast<volatile int64_t*>(addr); }
`;
const load = (session, name) => loadInline({ name, session, cppSources: KERNELS, functions: ["ok", "segv"], cacheDir });
const describe = (e) => ({
  isCrash: e instanceof NativeCrashError,
  name: e?.name,
  message: String(e?.message),
  signal: e?.signal,
  address: e?.address,
  pc: e?.pc,
  symbol: e?.symbol,
  function: e?.function,
  library: e?.library,
});
const settle = (p) => p.then((value) => ({ value }), (e) => ({ error: describe(e) }));

/** Crashes library a on the pool; b is another library of the same session. */
async function crashAndContinue() {
  const session = new ExecutionSession();
  const a = await load(session, "acrash_a");
  const b = await load(session, "acrash_b");
  // Healthy calls in flight on the other library while a's kernel faults.
  const others = Array.from({ length: 50 }, (_, i) => b.ok.async(i));
  const first = await settle(a.segv.async(0));
  const again = await settle(a.ok.async(1));
  let syncAgain;
  try {
    a.ok(1);
  } catch (e) {
    syncAgain = describe(e);
  }
  const othersOk = (await Promise.all(others)).every((v, i) => v === i + 1);
  return { first, again, syncAgain, othersOk, healthy: await b.ok.async(41), healthySync: b.ok(41) };
}

async function run(which) {
  switch (which) {
    case "main":
      return crashAndContinue();
    case "queued": {
      // One pool thread: the call queued behind the crashing one never enters the library.
      const session = new ExecutionSession();
      const a = await load(session, "acrash_q");
      const [first, queued] = await Promise.all([settle(a.segv.async(0)), settle(a.ok.async(1))]);
      return { first, queued };
    }
    case "worker": {
      const w = new Worker(new URL(import.meta.url), { workerData: [dist, cacheDir, "main"] });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const fromWorker = await new Promise((resolve, reject) => {
        w.on("message", resolve);
        w.on("error", reject);
      });
      clearInterval(timer);
      await w.terminate();
      // The main thread's own libraries are unaffected.
      const session = new ExecutionSession();
      const m = await load(session, "acrash_main");
      return { fromWorker, mainAfter: await m.ok.async(6), mainTicked: ticks > 0 };
    }
    default:
      throw new Error("unknown case " + which);
  }
}

const out = await run(which);
if (isMainThread) console.log("RESULT " + JSON.stringify(out));
else parentPort.postMessage(out);

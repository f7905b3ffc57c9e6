// Stress of the native entry points from several worker_threads at once (issue 13), run by
// threads.test.ts and scripts/tsan.sh in a process of its own:
//   node test/reliability/threads-worker.mjs <dist dir> <fixture dir> <cache dir> <workers> <cycles>
// Each worker, per cycle: a registration-only library whose static init registers C++
// global functions; createLibrary + add + getFunction + call + dispose; JS and C++ global
// functions looked up and called from JIT code (call_global); a JS callback called by JIT
// code (call_n); both libraries disposed. Every 25th cycle: loadInline of the same module on
// one shared cache; every 100th: a fresh ExecutionSession. The main thread creates and
// disposes libraries meanwhile. Prints {"errors": N, "cycles": ..., "messages": [...]}.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const INLINE = "int64_t twice(int64_t x) { return 2 * x; }";

async function runWorker({ dist, fixtures, cacheDir, id, cycles }) {
  const api = await import(pathToFileURL(join(dist, "index.js")).href);
  const { ExecutionSession, registerGlobalFunc, getGlobalFunc, removeGlobalFunc, loadInline } = api;
  const bytes = (name) => new Uint8Array(readFileSync(join(fixtures, `${name}.o`)));
  const add = bytes("c/add");
  const callGlobal = bytes("c/call_global");
  const callPath = bytes("c/call_path");
  const globalGen = bytes("cc/global_gen1");
  let errors = 0;
  const messages = [];
  const fail = (what, e) => {
    errors++;
    if (messages.length < 5) messages.push(`worker ${id}: ${what}: ${e?.stack ?? e}`);
  };
  const check = (what, got, want) => {
    if (got !== want) fail(what, `got ${String(got)}, want ${String(want)}`);
  };
  let session = new ExecutionSession();
  const name = `threads.w${id}`;
  registerGlobalFunc(name, (x) => x + id, { override: true });
  for (let i = 0; i < cycles; i++) {
    try {
      if (i % 100 === 99) {
        session.dispose();
        session = new ExecutionSession();
      }
      // A registration-only library: its static init registers C++ global functions.
      const gen = session.createLibrary(`gen${id}-${i}`);
      gen.add(globalGen, { name: "global_gen1.o" });
      gen.link();
      const lib = session.createLibrary(`w${id}-${i}`);
      lib.add(add, { name: "add.o" });
      lib.add(callGlobal, { name: "call_global.o" });
      lib.add(callPath, { name: "call_path.o" });
      check("add", lib.getFunction("add")(i, id), i + id);
      check("call_global (JS global)", lib.getFunction("call_global")(name, i), i + id);
      // Looked up and called from JIT code: no JS wrapper outlives the library (a wrapper of
      // a registry function does not keep its library mapped across a session dispose).
      check("call_global (C++ global)", lib.getFunction("call_global")("orcjit_test.describe", `w${id}`), `w${id}@gen1`);
      check("call_n", lib.getFunction("call_n")((k) => k * 2, 4), 12);
      check("getGlobalFunc", getGlobalFunc(name)(i), i + id);
      lib.dispose();
      gen.dispose();
      if (i % 25 === 0) {
        const mod = await loadInline({ name: "threads_inline", cppSources: INLINE, functions: ["twice"], cacheDir, session });
        check("loadInline", mod.twice(i), 2 * i);
      }
    } catch (e) {
      fail(`cycle ${i}`, e);
    }
  }
  session.dispose();
  removeGlobalFunc(name);
  return { errors, messages, cycles };
}

if (isMainThread) {
  const [dist, fixtures, cacheDir, workersArg, cyclesArg] = process.argv.slice(2);
  const workers = Number(workersArg);
  const cycles = Number(cyclesArg);
  const { ExecutionSession } = await import(pathToFileURL(join(dist, "index.js")).href);
  const t0 = performance.now();
  const done = Array.from({ length: workers }, (_, id) => new Promise((resolve) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { dist, fixtures, cacheDir, id, cycles } });
    w.once("message", resolve);
    w.once("error", (e) => resolve({ errors: 1, messages: [`worker ${id} died: ${e?.stack ?? e}`], cycles: 0 }));
  }));
  // The main thread works too until the workers are done.
  let mainCycles = 0;
  let mainErrors = 0;
  let finished = false;
  const all = Promise.all(done).then((r) => ((finished = true), r));
  const add = new Uint8Array(readFileSync(join(fixtures, "c/add.o")));
  const session = new ExecutionSession();
  while (!finished) {
    try {
      const lib = session.createLibrary(`main-${mainCycles}`);
      lib.add(add);
      if (lib.getFunction("add")(mainCycles, 1) !== mainCycles + 1) mainErrors++;
      lib.dispose();
    } catch {
      mainErrors++;
    }
    mainCycles++;
    await new Promise((r) => setTimeout(r, 2));
  }
  session.dispose();
  const results = await all;
  const out = {
    workers,
    cyclesPerWorker: cycles,
    mainCycles,
    errors: results.reduce((n, r) => n + r.errors, 0) + mainErrors,
    messages: results.flatMap((r) => r.messages),
    ms: Math.round(performance.now() - t0),
  };
  process.stdout.write(JSON.stringify(out) + "\n");
} else {
  parentPort.postMessage(await runWorker(workerData));
}

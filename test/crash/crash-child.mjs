// Crash containment cases, one per process (test/crash/crash.test.ts):
//   node crash-child.mjs <dist dir> <case> [count]
// Prints "RESULT <json>" when the process survived; a death shows as a signal or status.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist, which, countArg] = process.argv.slice(2);
const api = await import(pathToFileURL(join(dist, "index.js")).href);
const { loadInline, ExecutionSession, NativeCrashError } = api;
const result = (o) => console.log("RESULT " + JSON.stringify(o));

// One kernel per kind of fault, plus a healthy function.
export const KERNELS = `
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
int64_t ok(int64_t x) { return x + 1; }
int64_t segv(int64_t addr) { return *reinterpret_cast<volatile int64_t*>(addr); }
int64_t fpe(int64_t a, int64_t b) { volatile int64_t x = a, y = b; return x / y; }
int64_t ill(int64_t) { __builtin_trap(); }
int64_t trap(int64_t x) { asm volatile("int3"); return x; }
int64_t deep(int64_t n) {
  volatile char frame[1024];
  frame[0] = char(n);
  if (n < 0) return 0;
  return deep(n + 1) + frame[0];
}
int64_t overflow(int64_t) { return deep(0); }
int64_t bus(int64_t) {
  char path[] = "/tmp/orcjit-bus-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  unlink(path);
  if (ftruncate(fd, 4096) != 0) return -2;
  auto* p = static_cast<volatile char*>(mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0));
  if (ftruncate(fd, 0) != 0) return -3;
  close(fd);
  char c = p[0];  // the page no longer has a backing: SIGBUS
  munmap(const_cast<char*>(p), 4096);
  return c;
}
int64_t libc_segv(int64_t) { return int64_t(strlen(reinterpret_cast<const char*>(std::getenv("ORCJIT_NO_SUCH_VAR")))); }
`;
const FUNCS = ["ok", "segv", "fpe", "ill", "trap", "overflow", "bus", "libc_segv"];
const KINDS = {
  segv: ["segv", [0], "SIGSEGV"],
  fpe: ["fpe", [1, 0], "SIGFPE"],
  ill: ["ill", [0], "SIGILL"],
  trap: ["trap", [0], "SIGTRAP"],
  overflow: ["overflow", [0], "SIGSEGV"],
  bus: ["bus", [0], "SIGBUS"],
};

const load = (session, name) => loadInline({ name, session, cppSources: KERNELS, functions: FUNCS });
const catchErr = (f) => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: e };
  }
};
const describe = (e) => ({
  name: e?.constructor?.name,
  isCrash: e instanceof NativeCrashError,
  message: String(e?.message),
  signal: e?.signal,
  address: e?.address,
  symbol: e?.symbol,
  function: e?.function,
  library: e?.library,
});

// wasm: (memory 1) (func (export "load") (param i32) (result i32) local.get 0 i32.load)
const WASM = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 8, 1, 4, 108, 111, 97, 100, 0, 0,
  10, 9, 1, 7, 0, 32, 0, 40, 2, 0, 11,
]);
function wasmOutOfBounds() {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(WASM));
  const r = catchErr(() => inst.exports.load(1 << 20));
  return r.error ? `${r.error.constructor.name}: ${r.error.message}` : `no error (${r.value})`;
}

const cases = {
  // One crash of each kind: the details, the poisoning, a healthy library, a reload.
  async kinds() {
    const session = new ExecutionSession();
    const healthy = await load(session, "crash_healthy");
    const out = {};
    for (const [kind, [fn, args]] of Object.entries(KINDS)) {
      const m = await load(session, "crash_" + kind);
      const first = catchErr(() => m[fn](...args));
      const again = catchErr(() => m.ok(1));
      out[kind] = {
        first: first.error ? describe(first.error) : { value: first.value },
        again: again.error ? describe(again.error) : { value: again.value },
        healthy: healthy.ok(41),
      };
      m.library.dispose();
    }
    const fresh = await load(session, "crash_segv");
    out.reloaded = fresh.ok(9);
    out.wasm = wasmOutOfBounds();
    result(out);
  },
  // `count` crashes spread over every kind and many libraries.
  async many() {
    const count = Number(countArg ?? 1000);
    const crashFree = process.env.CRASH_FREE === "1";
    const session = new ExecutionSession();
    const healthy = await load(session, "crash_many_healthy");
    const kinds = Object.values(KINDS);
    const libs = [];
    for (let i = 0; i < 8; i++) libs.push(await load(session, "crash_many_" + i));
    let crashes = 0;
    let poisoned = 0;
    let healthyOk = 0;
    let rssStart = 0;
    const bySignal = {};
    for (let i = 0; i < count; i++) {
      const slot = i % libs.length;
      const [fn, args, signal] = kinds[i % kinds.length];
      // CRASH_FREE=1: the same loads and disposals without the crashes (memory baseline).
      const r = catchErr(() => (crashFree ? libs[slot].ok(1) : libs[slot][fn](...args)));
      if (r.error instanceof NativeCrashError && r.error.signal === signal) {
        crashes++;
        bySignal[signal] = (bySignal[signal] ?? 0) + 1;
      }
      const p = catchErr(() => libs[slot].ok(1));
      if (p.error instanceof NativeCrashError && /crashed earlier/.test(p.error.message)) poisoned++;
      if (healthy.ok(i) === i + 1) healthyOk++;
      // A poisoned library is replaced by a fresh load of the same (cached) object.
      libs[slot].library.dispose();
      libs[slot] = await load(session, "crash_many_" + slot);
      if (i === 99) {
        globalThis.gc?.();
        rssStart = process.memoryUsage().rss;
      }
      if (process.env.CRASH_TRACE && i % 100 === 99) {
        globalThis.gc?.();
        console.error(i + 1, (process.memoryUsage().rss / 2 ** 20).toFixed(1), crashFree ? "(no crashes)" : "");
      }
    }
    globalThis.gc?.();
    const rssEnd = process.memoryUsage().rss;
    result({ count, crashes, poisoned, healthyOk, bySignal, rssGrowthMiB: (rssEnd - rssStart) / 2 ** 20, libraries: session.native.libraryCount, wasm: wasmOutOfBounds() });
  },
  // Crashes of every kind on worker threads (each with its own guard stack and alternate
  // signal stack) while the main thread keeps calling its own library.
  async workers() {
    const { Worker } = await import("node:worker_threads");
    const healthy = await load(new ExecutionSession(), "crash_w_main");
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      (async () => {
        const api = await import(workerData.url);
        const session = new api.ExecutionSession();
        const kernels = workerData.kernels;
        const load = (n) => api.loadInline({ name: n, session, cppSources: kernels, functions: workerData.funcs });
        let crashes = 0, poisoned = 0;
        for (let i = 0; i < workerData.count; i++) {
          const [fn, args, signal] = workerData.kinds[i % workerData.kinds.length];
          const m = await load("crash_w_" + workerData.id);
          try { m[fn](...args); } catch (e) { if (e instanceof api.NativeCrashError && e.signal === signal) crashes++; }
          try { m.ok(1); } catch (e) { if (e instanceof api.NativeCrashError) poisoned++; }
          m.library.dispose();
        }
        parentPort.postMessage({ crashes, poisoned });
      })();`;
    const url = pathToFileURL(join(dist, "index.js")).href;
    const count = Number(countArg ?? 60);
    const runs = [0, 1].map(
      (id) =>
        new Promise((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { url, kernels: KERNELS, funcs: FUNCS, kinds: Object.values(KINDS), count, id } });
          w.once("message", resolve);
          w.once("error", reject);
        }),
    );
    let mainCalls = 0;
    const timer = setInterval(() => (mainCalls += healthy.ok(1) === 2 ? 1 : 0), 1);
    const out = await Promise.all(runs);
    clearInterval(timer);
    result({ workers: out, mainCalls, healthy: healthy.ok(41) });
  },
  // Watch mode: a crash is a watch error event, the watcher keeps running, and the next
  // good edit serves a fresh generation. argv[4]: a copy of test/watch/fixtures/hot.
  async watch() {
    const { readFileSync, writeFileSync } = await import("node:fs");
    const dir = countArg;
    const w = await api.watchProject(dir, { cacheDir: join(dir, ".cache"), env: {}, debounceMs: 30 });
    const next = (event) => new Promise((resolve) => w.once(event, (e) => resolve(e)));
    const value = w.library("math").getFunction("value");
    const before = value(3);
    const src = join(dir, "src/math.c");
    const good = readFileSync(src, "utf8");
    let reloaded = next("reload");
    writeFileSync(src, good.replace("return x * SCALE + OFFSET;", "return *(volatile int64_t*)(x - x) + x;"));
    await reloaded;
    const errors = [];
    w.on("error", (e) => errors.push(describe(e)));
    const crash = catchErr(() => value(3));
    const again = catchErr(() => value(3));
    reloaded = next("reload");
    writeFileSync(src, good.replace("x * SCALE + OFFSET", "x * SCALE + OFFSET + 7"));
    await reloaded;
    const after = value(3);
    await w.close();
    result({ before, crash: describe(crash.error), again: describe(again.error), errors, after });
  },
  // Faults outside JIT code are not contained: the process dies as it did before.
  async "libc-fault"() {
    const m = await load(new ExecutionSession(), "crash_libc");
    m.ok(1);
    m.libc_segv(0);
    result({ survived: true });
  },
  async "kill-segv"() {
    const m = await load(new ExecutionSession(), "crash_kill");
    catchErr(() => m.segv(0)); // the handler is installed now
    process.kill(process.pid, "SIGSEGV");
    await new Promise((r) => setTimeout(r, 2000));
    result({ survived: true });
  },
  // Containment off: a kernel fault kills the process as before.
  async "guard-off"() {
    const m = await load(new ExecutionSession(), "crash_off");
    m.segv(0);
    result({ survived: true });
  },
};

await cases[which]();

// Worker of test/inline/teardown.test.ts (run with --expose-gc): teardown when unreachable of
// loadInline modules and session.createLibrary libraries, and what must keep a library alive.
// Prints one JSON line of counts; the test asserts them.
import { readFileSync } from "node:fs";
const [dist, cacheDir, totalArg] = process.argv.slice(2);
const { ExecutionSession, getGlobalFunc, loadInline, registerGlobalFunc } = await import(dist);
const total = Number(totalArg);

let dtors = 0;
registerGlobalFunc("teardown_test.dtor", () => { dtors++; });
const settle = async () => {
  for (let i = 0; i < 3; ++i) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r)); // FinalizationRegistry and N-API finalizers run here
  }
};

// A static destructor that reports to JS, 64 KiB of data, a closure factory and a slow call.
const KERNEL = `
#include <chrono>
#include <thread>
namespace {
struct Fini { ~Fini() { if (auto f = tvm::ffi::Function::GetGlobal("teardown_test.dtor")) (*f)(); } };
Fini fini;
char big[1 << 16] = {1};
}
int64_t value() { return big[0]; }
tvm::ffi::Function make_adder(int64_t k) {
  return tvm::ffi::Function::FromTyped([k](int64_t x) -> int64_t { return x + k + big[0] - 1; });
}
int64_t slow(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); return big[0]; }
`;
// A library other libraries link against (its destructor reports too) and one that uses it.
const BASE = `
#include <stdint.h>
int64_t td_base(void) { return 40; }
__attribute__((destructor)) static void fini(void) {
  TVMFFIByteArray name = {"teardown_test.dtor", 18};
  TVMFFIObjectHandle f = 0;
  if (TVMFFIFunctionGetGlobal(&name, &f) == 0 && f) {
    TVMFFIAny r; r.type_index = kTVMFFINone; r.zero_padding = 0; r.v_int64 = 0;
    TVMFFIFunctionCall(f, 0, 0, &r);
    TVMFFIObjectDecRef(f);
  }
}
`;
const USER = `
#include <stdint.h>
int64_t td_base(void);
TVM_FFI_DLL_EXPORT int __tvm_ffi_top(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  (void)s; (void)a; (void)n;
  r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = td_base() + 2; return 0;
}
`;
// Registers a global function: reachable by name, so never torn down by GC.
const GLOBAL = `
#include <tvm/ffi/reflection/registry.h>
TVM_FFI_STATIC_INIT_BLOCK() { tvm::ffi::reflection::GlobalDef().def("teardown_test.global", [](int64_t x) { return x * 2; }); }
`;

const session = new ExecutionSession();
const opts = { name: "td", cppSources: KERNEL, functions: ["value", "make_adder", "slow"], cacheDir, session };
const out = {};

// 1. loadInline modules dropped after one call: each is a new library, each is torn down.
// Bounded: unreachable objects may need several collections (a chain of holders).
const settleUntil = async (done) => {
  for (let i = 0; i < 20 && !done(); ++i) await settle();
};

// Until every library of the session is gone (the previous section's leftovers).
const quiet = () => settleUntil(() => session.libraryCount === 0);

const once = async (prev) => {
  const mod = await loadInline(opts);
  return { v: mod.value(), fresh: prev?.deref() !== mod, ref: new WeakRef(mod) };
};
let sum = 0, fresh = 0, ref, rssAt50 = 0;
for (let i = 1; i <= total; ++i) {
  const r = await once(ref);
  sum += r.v; fresh += r.fresh ? 1 : 0; ref = r.ref;
  await settle();
  if (i === 50) rssAt50 = process.memoryUsage().rss;
}
await settleUntil(() => dtors >= total);
out.inline = { sum, fresh, dtors: dtors, libraries: session.libraryCount, rssGrowthMB: (process.memoryUsage().rss - rssAt50) / 2 ** 20 };

// 2. While reachable, the same inputs give the same module (the memo is weak, not gone).
out.sameWhileReachable = await (async () => {
  const a = await loadInline(opts);
  return a === (await loadInline(opts));
})();

// Handles live in `box` and are loaded and called only from helper frames: a suspended async
// frame (this module's top level) keeps its temporaries, which would keep a handle reachable.
const box = {};
const load = async (fn) => { box.value = fn(await loadInline(opts)); };
const call = (...args) => box.value(...args);

await quiet();
// 3. A function kept while its module is dropped still works; the library goes with it.
let d0 = dtors;
await load((mod) => mod.value);
await settle();
out.keptFunction = { dtorsWhileHeld: dtors - d0, value: call(), libraries: session.libraryCount };
box.value = undefined;
await settleUntil(() => dtors - d0 > 0);
out.keptFunction.dtorsAfter = dtors - d0;

await quiet();
// 4. A closure the kernel returned keeps the code (the library pins natively).
d0 = dtors;
await load((mod) => mod.make_adder(5));
await settle();
out.closure = { dtorsWhileHeld: dtors - d0, value: call(1), libraries: session.libraryCount };
box.value = undefined;
await settleUntil(() => dtors - d0 > 0);
out.closure.dtorsAfter = dtors - d0;

await quiet();
// 5. An async call in flight while its module and function are dropped.
d0 = dtors;
await load((mod) => mod.slow.async(300));
await settle(); // collects the module and the function while the call runs on the pool
out.async = { value: await box.value };
box.value = undefined;
await settleUntil(() => dtors - d0 > 0);
out.async.dtorsAfter = dtors - d0;

await quiet();
// 6. session.createLibrary libraries dropped: torn down too.
const objBytes = readFileSync((await loadInline(opts)).objects[0].objectPath);
await quiet();
d0 = dtors;
const libs0 = session.libraryCount;
let csum = 0;
const createOnce = (i) => session.createLibrary(`c${i}`).add(objBytes).getFunction("value")();
for (let i = 1; i <= 50; ++i) {
  csum += createOnce(i);
  if (i % 10 === 0) await settle();
}
await settleUntil(() => dtors - d0 >= 50);
out.createLibrary = { sum: csum, dtors: dtors - d0, librariesBefore: libs0, librariesAfter: session.libraryCount };

await quiet();
// 7. A library in another one's link order stays while that one is reachable.
d0 = dtors;
await (async () => {
  const base = await loadInline({ name: "td_base", cSources: BASE, cacheDir, session });
  base.library.link(); // runs its constructors (and registers its destructor) now
  const userObj = (await loadInline({ name: "td_user", cSources: USER, cacheDir, session })).objects[0].objectPath;
  const lib = session.createLibrary("user");
  lib.setLinkOrder([base.library]);
  lib.add(userObj);
  box.value = lib.getFunction("top");
})();
await settle();
out.linkOrder = { value: call(), dtorsWhileHeld: dtors - d0 };
box.value = undefined;
await settleUntil(() => dtors - d0 > 0);
out.linkOrder.dtorsAfter = dtors - d0;

// 8. A library that registered a global function stays (reachable by name).
await (async () => {
  const g = await loadInline({ name: "td_global", cppSources: GLOBAL, cacheDir, session });
  g.library.link();
})();
await settle();
out.global = getGlobalFunc("teardown_test.global")(21);

// 9. Sessions dropped with their libraries: the libraries are torn down (destructors run) and
// the session goes with its last native reference. RSS stays flat over 20 sessions.
d0 = dtors;
const sessionOnce = () => new ExecutionSession().createLibrary("s").add(objBytes).getFunction("value")();
let ssum = 0;
const rssSessions = process.memoryUsage().rss;
for (let i = 0; i < 20; ++i) {
  ssum += sessionOnce();
  await settle();
}
await settleUntil(() => dtors - d0 >= 20);
out.sessions = { sum: ssum, dtors: dtors - d0, rssGrowthMB: (process.memoryUsage().rss - rssSessions) / 2 ** 20 };

console.log(JSON.stringify(out));
session.dispose();

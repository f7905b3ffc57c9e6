// One attack per process (test/reliability/{lifetime,shared-memory,threads}.test.ts run it):
//   node native-attacks.mjs <dist dir> <case>
// Prints "RESULT <json>" when the attack was survived; a crash shows as a signal or status.
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist, which] = process.argv.slice(2);
const api = await import(pathToFileURL(join(dist, "index.js")).href);
const { loadInline, ExecutionSession, registerGlobalFunc, removeGlobalFunc, getGlobalFunc, Tensor, DisposedError } = api;
const result = (o) => console.log("RESULT " + JSON.stringify(o));
const err = (f) => {
  try {
    f();
    return null;
  } catch (e) {
    return { name: e?.constructor?.name ?? typeof e, message: String(e?.message ?? e) };
  }
};
const gcHard = () => {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    new Array(1e5).fill({}); // churn
  }
};
const idle = () => new Promise((r) => setImmediate(r));

const CB = `
int64_t call_cb(tvm::ffi::Function f, int64_t x) {
  int64_t r = f(x).cast<int64_t>();
  volatile int64_t k = 0;
  for (int i = 0; i < 1000; ++i) k = k + i;   // code of this library runs after the callback
  return r + 1 + (k - k);
}
int64_t nested(tvm::ffi::Function f, int64_t x) { return f(x).cast<int64_t>() + 100; }
`;

const cases = {
  // ---------------------------------------------------------------- lifetime and re-entrancy
  async "dispose-library-in-callback"() {
    const session = new ExecutionSession();
    const m = await loadInline({ name: "rel_dlc", session, cppSources: CB, functions: ["call_cb"] });
    const r = m.call_cb(() => {
      m.library.dispose();
      return 20;
    }, 0);
    const after = err(() => m.call_cb(() => 1, 1));
    const disposedNow = m.library.disposed;
    await idle();
    result({ r, after, disposedNow, libraries: session.native.libraryCount, deferred: session.native.deferredCount });
  },
  async "dispose-session-in-callback"() {
    const session = new ExecutionSession();
    const m = await loadInline({ name: "rel_dsc", session, cppSources: CB, functions: ["call_cb"] });
    const r = m.call_cb(() => {
      session.dispose();
      return 20;
    }, 0);
    const after = err(() => m.call_cb(() => 1, 1));
    await idle();
    result({ r, after, disposed: session.native.disposed });
  },
  async "dispose-nested-callbacks"() {
    // JS -> call_cb -> JS -> nested -> JS (dispose) -> back through both libraries' frames.
    const session = new ExecutionSession();
    const a = await loadInline({ name: "rel_dna", session, cppSources: CB, functions: ["call_cb", "nested"] });
    const r = a.call_cb((x) => a.nested(() => {
      a.library.dispose();
      session.dispose();
      return x + 1;
    }, 0), 5);
    await idle();
    result({ r, after: err(() => a.nested(() => 1, 1)) });
  },
  async "dispose-from-static-initializer"() {
    // A static initializer (run by getFunction's link) calls a JS global that disposes the
    // library being initialized.
    const src = `
static int64_t g = [] { auto f = tvm::ffi::Function::GetGlobal("rel.dispose_lib"); return f ? (*f)().cast<int64_t>() : -1; }();
int64_t value() { return g; }
`;
    const built = await loadInline({ name: "rel_dsi", session: new ExecutionSession(), cppSources: src, functions: ["value"] });
    const session = new ExecutionSession();
    const lib = session.createLibrary("rel_dsi2");
    registerGlobalFunc("rel.dispose_lib", () => {
      lib.dispose();
      return 7;
    }, { override: true });
    for (const o of built.objects) lib.add(o.objectPath);
    const got = err(() => lib.getFunction("value"));
    const call = err(() => lib.getFunction("value")());
    await idle();
    removeGlobalFunc("rel.dispose_lib");
    result({ got, call, disposed: lib.disposed, builtValue: built.value() });
  },
  async "project-dispose-in-callback"() {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "orcjit-rel-proj-"));
    writeFileSync(join(dir, "cb.cc"), `#include <tvm/ffi/function.h>\n${CB}\nTVM_FFI_DLL_EXPORT_TYPED_FUNC(call_cb, call_cb);\n`);
    writeFileSync(join(dir, "orcjit.yaml"), "version: 1\nlibraries:\n  cb:\n    sources: [cb.cc]\n");
    const project = await api.loadProject(dir);
    await project.load();
    const f = project.library("cb").getFunction("call_cb");
    const r = f(() => {
      project.dispose();
      return 20;
    }, 0);
    await idle();
    result({ r, after: err(() => f(() => 1, 1)) });
  },
  async "dispose-value-in-callback"() {
    // The callback disposes the Tensor the kernel holds as a borrowed argument, then churns
    // the allocator with new tensor objects (which would reuse the freed one).
    const m = await loadInline({ name: "rel_dvc", cppSources: `
double sum_after(tvm::ffi::TensorView t, tvm::ffi::Function f) {
  f();
  double s = 0; const double* p = static_cast<const double*>(t.data_ptr());
  for (int64_t i = 0; i < t.numel(); ++i) s += p[i];
  return s;
}
`, functions: ["sum_after"] });
    const n = 4096;
    const t = new Tensor(new Float64Array(n).fill(2));
    const keep = [];
    const sum = m.sum_after(t, () => {
      t.dispose();
      for (let i = 0; i < 2000; i++) keep.push(new Tensor(new Float64Array([9, 9])));
    });
    await idle();
    result({ sum, expected: 2 * n, disposed: t.disposed ?? null });
  },
  async "exit-finalizer-calls-js"() {
    registerGlobalFunc("app.log", (s) => console.log("log:", s), { override: true });
    const m = await loadInline({ name: "rel_exit", cppSources: `
struct Bye { ~Bye() { auto f = tvm::ffi::Function::GetGlobal("app.log"); if (f) (*f)(tvm::ffi::String("bye")); } } bye;
int64_t one() { return 1; }
`, functions: ["one"] });
    globalThis.keep = m;
    result({ one: m.one() });
    const mode = process.argv[4];
    if (mode === "exit") process.exit(7);
    process.exitCode = 5;
  },
  // ---------------------------------------------------------------- shared and resizable memory
  async "sab-add-race"() {
    // A valid object in a SharedArrayBuffer; a worker flips one relocation's r_offset between
    // its real value and one far outside its section, while this thread adds the bytes. Each
    // add must see one consistent object: linked (and correct) or rejected, never a crash.
    const { readFileSync } = await import("node:fs");
    const objs = (await loadInline({ name: "rel_sab", session: new ExecutionSession(), functions: ["pick"], cppSources: `
static int64_t table[4] = {1, 2, 3, 4};
static int64_t* slot(int i) { return &table[i & 3]; }
int64_t pick(int64_t i) { return *slot((int)i); }
` })).objects;
    const bytes = readFileSync(objs[0].objectPath);
    const sab = new SharedArrayBuffer(bytes.length);
    const view = new Uint8Array(sab);
    view.set(bytes);
    const dv = new DataView(sab);
    const shoff = Number(dv.getBigUint64(0x28, true));
    const shentsize = dv.getUint16(0x3a, true);
    const shnum = dv.getUint16(0x3c, true);
    let relaOff = -1;
    for (let i = 0; i < shnum; i++) {
      const h = shoff + i * shentsize;
      if (dv.getUint32(h + 4, true) === 4 && dv.getBigUint64(h + 0x20, true) > 0n) {
        relaOff = Number(dv.getBigUint64(h + 0x18, true));
        break;
      }
    }
    if (relaOff < 0) throw new Error("no RELA section");
    const good = dv.getBigUint64(relaOff, true);
    const w = new Worker(`
const { workerData } = require("node:worker_threads");
const dv = new DataView(workerData.sab);
// Only the high 32 bits differ: a torn (byte-wise) write gives the good value or one far
// outside the section, never a different in-range offset (which would just be wrong code).
const good = workerData.good, bad = good | 0x736c616600000000n;
for (;;) { dv.setBigUint64(workerData.off, bad, true); dv.setBigUint64(workerData.off, good, true); }
`, { eval: true, workerData: { sab, off: relaOff, good } });
    const session = new ExecutionSession();
    let ok = 0, rejected = 0, other = [];
    const N = Number(process.env.ORCJIT_SAB_ROUNDS ?? 400);
    for (let i = 0; i < N; i++) {
      const lib = session.createLibrary("sab" + i);
      try {
        lib.add(view, { name: "shared.o" });
        if (lib.getFunction("pick")(2) !== 3) other.push("wrong result");
        ok++;
      } catch (e) {
        if (e?.name === "ObjectFileError" || /outside|relocation/.test(String(e?.message))) rejected++;
        else other.push(String(e?.message).slice(0, 120));
      }
      lib.dispose();
    }
    await w.terminate();
    result({ ok, rejected, other: other.slice(0, 3), rounds: N });
  },
  async "tensor-lying-views"() {
    const m = await loadInline({ name: "rel_views", cppSources: `
double sum_all(tvm::ffi::TensorView t) {
  double s = 0; const float* p = static_cast<const float*>(t.data_ptr());
  for (int64_t i = 0; i < t.numel(); ++i) s += p[i];
  return s;
}
int64_t numel(tvm::ffi::TensorView t) { return t.numel(); }
`, functions: ["sum_all", "numel"] });
    const out = {};
    const real = () => new Float32Array([1, 2, 3, 4]);
    // instance overrides
    {
      const a = real();
      Object.defineProperty(a, "byteLength", { value: 1 << 24 });
      Object.defineProperty(a, "length", { value: 1 << 22 });
      Object.defineProperty(a, "byteOffset", { value: 0 });
      Object.defineProperty(a, "buffer", { value: new ArrayBuffer(1 << 24) });
      const t = new Tensor(a);
      out.instance = { shape: t.shape, numel: m.numel(t), sum: m.sum_all(t), sameBuffer: t.buffer === a.buffer };
    }
    // subclass with lying getters (and a lying constructor name)
    {
      class Liar extends Float32Array {
        get byteLength() { return 1 << 24; }
        get byteOffset() { return 1 << 20; }
        get buffer() { return new ArrayBuffer(1 << 24); }
        static get name() { return "Float64Array"; }
      }
      const a = new Liar([1, 2, 3, 4]);
      const t = new Tensor(a);
      out.subclass = { shape: t.shape, dtype: t.dtype.toString(), sum: m.sum_all(t) };
    }
    // prototype overrides (every typed array lies), restored after
    {
      const TA = Object.getPrototypeOf(Float32Array.prototype);
      const saved = ["byteLength", "byteOffset", "buffer", "length"].map((k) => [k, Object.getOwnPropertyDescriptor(TA, k)]);
      const savedAB = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength");
      const big = new ArrayBuffer(1 << 24);
      Object.defineProperty(TA, "byteLength", { get: () => 1 << 24, configurable: true });
      Object.defineProperty(TA, "length", { get: () => 1 << 22, configurable: true });
      Object.defineProperty(TA, "byteOffset", { get: () => 8, configurable: true });
      Object.defineProperty(TA, "buffer", { get: () => big, configurable: true });
      Object.defineProperty(ArrayBuffer.prototype, "byteLength", { get: () => 1 << 24, configurable: true });
      let r;
      try {
        const t = new Tensor(real());
        const ab = new ArrayBuffer(16);
        new Float32Array(ab).set([1, 2, 3, 4]); // (set uses internal slots)
        const t2 = new Tensor(ab, { dtype: "float32" });
        r = { shape: t.shape, sum: m.sum_all(t), shape2: t2.shape, sum2: m.sum_all(t2) };
      } finally {
        for (const [k, d] of saved) Object.defineProperty(TA, k, d);
        Object.defineProperty(ArrayBuffer.prototype, "byteLength", savedAB);
      }
      out.prototype = r;
    }
    // byteOffset option past the real end of an ArrayBuffer that claims to be bigger
    {
      const ab = new ArrayBuffer(16);
      Object.defineProperty(ab, "byteLength", { value: 1 << 24 });
      out.offsetPastEnd = err(() => new Tensor(ab, { dtype: "float32", byteOffset: 1 << 20 }));
      out.shapePastEnd = err(() => new Tensor(ab, { dtype: "float32", shape: [1 << 20] }));
    }
    result(out);
  },
  async "tensor-stored-then-transferred"() {
    // C++ keeps a tensor; JS transfers the tensor's buffer away and drops the copy; GC runs.
    const m = await loadInline({ name: "rel_keep", cppSources: `
static tvm::ffi::Optional<tvm::ffi::Tensor> kept;
void keep(tvm::ffi::Tensor t) { kept = t; }
double sum_kept() {
  const tvm::ffi::Tensor& t = kept.value();
  double s = 0; const double* p = static_cast<const double*>(t.data_ptr());
  for (int64_t i = 0; i < t.numel(); ++i) s += p[i];
  return s;
}
void drop() { kept = tvm::ffi::Optional<tvm::ffi::Tensor>(); }
`, functions: ["keep", "sum_kept", "drop"] });
    const n = 1 << 16;
    let a = new Float64Array(n).fill(1.5);
    let t = new Tensor(a);
    m.keep(t);
    let transfer = "copied";
    try {
      structuredClone(a.buffer, { transfer: [a.buffer] });
    } catch (e) {
      transfer = e.name;
    }
    const stillAttached = a.buffer.byteLength;
    a = null;
    t = null;
    gcHard();
    for (let i = 0; i < 50; i++) new Float64Array(n).fill(9); // reuse freed memory, if any
    const sum = m.sum_kept();
    m.drop();
    result({ transfer, stillAttached, sum, expected: 1.5 * n });
  },
  async "callback-transfers-argument"() {
    const m = await loadInline({ name: "rel_cbt", cppSources: `
double sum_after(tvm::ffi::TensorView a, tvm::ffi::Function f) {
  f();
  double s = 0; const double* p = static_cast<const double*>(a.data_ptr());
  for (int64_t i = 0; i < a.numel(); ++i) s += p[i];
  return s;
}
`, functions: ["sum_after"] });
    const n = 1 << 16;
    const a = new Float64Array(n).fill(2);
    let transfer = "copied";
    const sum = m.sum_after(a, () => {
      try {
        structuredClone(a.buffer, { transfer: [a.buffer] });
      } catch (e) {
        transfer = e.name;
      }
      gcHard();
      for (let i = 0; i < 50; i++) new Float64Array(n).fill(9);
    });
    result({ transfer, sum, expected: 2 * n, attached: a.buffer.byteLength });
  },
  async "resizable-buffers"() {
    const m = await loadInline({ name: "rel_rab", cppSources: `
double sum_after(tvm::ffi::TensorView a, tvm::ffi::Function f) {
  f();
  double s = 0; const double* p = static_cast<const double*>(a.data_ptr());
  for (int64_t i = 0; i < a.numel(); ++i) s += p[i];
  return s;
}
double sum(tvm::ffi::TensorView a) {
  double s = 0; const double* p = static_cast<const double*>(a.data_ptr());
  for (int64_t i = 0; i < a.numel(); ++i) s += p[i];
  return s;
}
`, functions: ["sum_after", "sum"] });
    const n = 1 << 16;
    const ab = new ArrayBuffer(8 * n, { maxByteLength: 16 * n });
    const a = new Float64Array(ab).fill(3);
    const out = {};
    out.tensor = err(() => new Tensor(a));
    out.tensorFromBuffer = err(() => new Tensor(ab, { dtype: "float64" }));
    out.plain = m.sum(a); // no JS runs during the call: fine
    out.shrinkInCallback = err(() => m.sum_after(a, () => ab.resize(0)));
    out.byteLengthAfter = ab.byteLength;
    result(out);
  },
  // ---------------------------------------------------------------- input types (native)
  async "thrown-values-and-long-strings"() {
    const m = await loadInline({ name: "rel_inputs", cppSources: `
int64_t call0(tvm::ffi::Function f) { return f().cast<int64_t>(); }
tvm::ffi::String big(int64_t n) { return tvm::ffi::String(std::string(n, 'x')); }
`, functions: ["call0", "big"] });
    const sym = Symbol("boom");
    const out = {};
    try {
      m.call0(() => {
        throw sym;
      });
    } catch (e) {
      out.symbol = { type: typeof e, same: e === sym };
    }
    const weird = { toString() { throw new Error("no string for you"); } };
    try {
      m.call0(() => {
        throw weird;
      });
    } catch (e) {
      out.unprintable = { same: e === weird };
    }
    out.big = err(() => m.big(600 * 1024 * 1024));
    out.fine = m.big(1000).length;
    result(out);
  },
  async "shape-view-braced-list"() {
    const out = {};
    for (const compiler of ["clang", "gcc"]) {
      const m = await loadInline({ name: "rel_empty_" + compiler, compiler, cppSources: `
tvm::ffi::Tensor make(int64_t n) {
  tvm::ffi::Tensor t = tvm::ffi::Tensor::Empty({n, 3}, DLDataType{kDLFloat, 32, 1}, DLDevice{kDLCPU, 0});
  float* p = static_cast<float*>(t.data_ptr());
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = float(i);
  return t;
}
`, functions: ["make"] });
      const t = m.make(4);
      out[compiler] = { shape: t.shape, last: t.data[11] };
    }
    result(out);
  },
  async "worker-overrides-global"() {
    registerGlobalFunc("rel.hook", () => 1, { override: true });
    const m = await loadInline({ name: "rel_hook", cppSources: `
int64_t call_global(tvm::ffi::String name) { auto f = tvm::ffi::Function::GetGlobal(name); return f ? (*f)().cast<int64_t>() : -1; }
`, functions: ["call_global"] });
    const index = pathToFileURL(join(dist, "index.js")).href;
    const seen = await new Promise((resolve, reject) => {
      const w = new Worker(`
const { parentPort, workerData } = require("node:worker_threads");
import(workerData).then(({ registerGlobalFunc }) => {
  registerGlobalFunc("rel.hook", () => 2, { override: true });
  registerGlobalFunc("rel.worker_only", () => 3);
  parentPort.postMessage("registered");
});
`, { eval: true, workerData: index });
      let msg;
      w.on("message", (x) => (msg = x));
      w.on("error", reject);
      w.on("exit", () => resolve(msg));
    });
    result({ seen, hook: m.call_global("rel.hook"), workerOnly: m.call_global("rel.worker_only"), listed: getGlobalFunc("rel.worker_only", { allowMissing: true }) === undefined });
  },
  // ---------------------------------------------------------------- threads and termination
  async "terminate-in-callback"() {
    const codes = [];
    for (const delay of [0, 5, 50, 200]) {
      const w = new Worker(`
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { loadInline } = await import(workerData.index);
  const mod = await loadInline({ name: "rel_term", cppSources: \`
int64_t spin(tvm::ffi::Function f, int64_t n) { int64_t s = 0; for (int64_t i = 0; i < n; ++i) s += f(i).cast<int64_t>(); return s; }
\`, functions: ["spin"] });
  parentPort.postMessage("ready");
  mod.spin((i) => { let k = 0; for (let j = 0; j < 200; j++) k += j; return i; }, 1e9);
})();
`, { eval: true, workerData: { index: pathToFileURL(join(dist, "index.js")).href } });
      await new Promise((r) => w.once("message", r));
      await new Promise((r) => setTimeout(r, delay));
      codes.push(await w.terminate());
    }
    result({ codes, mainAlive: true });
  },
  async "worker-exit-finalizer-calls-js"() {
    const codes = [];
    for (const how of ["natural", "terminate"]) {
      const w = new Worker(`
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { loadInline, registerGlobalFunc } = await import(workerData.index);
  registerGlobalFunc("rel.wlog", (s) => { parentPort.postMessage("log " + s); }, { override: true });
  const mod = await loadInline({ name: "rel_wexit", cppSources: \`
struct Bye { ~Bye() { auto f = tvm::ffi::Function::GetGlobal("rel.wlog"); if (f) (*f)(tvm::ffi::String("bye")); } } bye;
int64_t one() { return 1; }
\`, functions: ["one"] });
  globalThis.keep = mod;
  parentPort.postMessage("ready " + mod.one());
  if (workerData.how === "terminate") setInterval(() => {}, 1000);
})();
`, { eval: true, workerData: { index: pathToFileURL(join(dist, "index.js")).href, how } });
      await new Promise((r) => w.once("message", r));
      if (how === "terminate") codes.push(await w.terminate());
      else codes.push(await new Promise((r) => w.once("exit", r)));
    }
    result({ codes });
  },
};

const fn = cases[which];
if (!fn) {
  console.error("unknown case " + which);
  process.exit(2);
}
await fn();

// N=<calls> node bench/callgrind/call.mjs <worktree> <which>: which = noop | add | f32 | typed-add | so-add | so-typed-add | koffi-noop | koffi-add | koffi-f32 | addon-noop | addon-add
// For instruction counts: bench/callgrind/ir.sh runs it under callgrind at two N; the difference per call.
import { createRequire } from "node:module";
const root = process.argv[2];
const which = process.argv[3];
// Artifacts of bench/build.js (run `npm run bench -- --quick --filter noop` once to build them).
const A = process.env.ART ?? root + "/node_modules/.cache/orcjit-bench/";
const require = createRequire(root + "/package.json");
const { ExecutionSession, loadModule } = await import(root + "/dist/index.js");
const n = Number(process.env.N ?? 1_000_000);
let f;
const a = new Float32Array([1.5]);
if (which.startsWith("koffi")) {
  const koffi = require("koffi");
  const l = koffi.load(A + "libbench_plain.so");
  f = { "koffi-noop": l.func("void bench_noop(void)"), "koffi-add": l.func("int64_t bench_add(int64_t a, int64_t b)"), "koffi-f32": l.func("double bench_f32_first(const float* p)") }[which];
} else if (which.startsWith("addon")) {
  const addon = require(A + "baseline/Release/bench_baseline.node");
  f = which === "addon-noop" ? addon.noop : addon.add;
} else if (which.startsWith("so-")) {
  // loadModule of a .so (function values); the typed one is checked by its metadata.
  f = loadModule(A + "libbench_ffi_calls_typed.so").getFunction(which === "so-add" ? "add" : "add_typed");
} else {
  const s = new ExecutionSession();
  const lib = s.createLibrary("b");
  await lib.add(A + "ffi_calls.o");
  f = lib.getFunction({ noop: "noop", add: "add", f32: "f32_first", "typed-add": "add_typed" }[which]);
}
let x = 0;
const t0 = process.hrtime.bigint();
if (which.endsWith("noop")) for (let i = 0; i < n; i++) f();
else if (which.endsWith("add")) for (let i = 0; i < n; i++) x += f(1, 2);
else for (let i = 0; i < n; i++) x += f(a);
const t1 = process.hrtime.bigint();
console.log(which, x, n ? (Number(t1 - t0) / n).toFixed(1) + " ns/call" : "");

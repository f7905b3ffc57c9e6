// Function values called from JS (closures kernels return) go through the crash guard since
// issue 15 (binding/crash_error.cc): per-call cost with containment on vs off, same run, interleaved.
//   node bench/crash-guard-function-values.mjs
import { loadInline, setCrashContainment } from "../dist/index.js";
const m = await loadInline({ name: "fvb", cppSources: `namespace ffi = tvm::ffi;
ffi::Function make_adder(int64_t k) { return ffi::Function::FromTyped([k](int64_t x) { return x + k; }); }`, functions: ["make_adder"] });
const add = m.make_adder(1);
const N = 1_000_000;
const res = { on: [], off: [] };
for (let r = 0; r < 11; r++) {
  for (const mode of r % 2 ? ["on", "off"] : ["off", "on"]) {
    setCrashContainment(mode === "on");
    const t0 = process.hrtime.bigint();
    let s = 0;
    for (let i = 0; i < N; i++) s += add(i);
    res[mode].push(Number(process.hrtime.bigint() - t0) / N);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`function value call: guard off ${med(res.off).toFixed(1)} ns, on ${med(res.on).toFixed(1)} ns (${(med(res.on) / med(res.off)).toFixed(3)}x)`);

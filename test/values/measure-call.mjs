// Measures the call path for tensor arguments (not a test: prints ns/call).
//   node test/values/measure-call.mjs [object.o]   (default: the clang values fixture)
// Compares a no-argument call with a 1-D Float32Array argument of 1 K and 1 M elements
// (zero-copy: the cost must not depend on the size), a Tensor object argument, and a number.
import { fileURLToPath } from "node:url";
import { ExecutionSession, Tensor } from "../../dist/index.js";

const obj = process.argv[2] ?? fileURLToPath(new URL("../.fixtures/clang/cc/values.o", import.meta.url));
const session = new ExecutionSession();
const lib = session.createLibrary("measure");
lib.add(obj);
const noop = lib.getFunction("noop");
const touch = lib.getFunction("view_touch"); // void (TensorView)
const small = new Float32Array(1024);
const large = new Float32Array(1 << 20);
const tensor = Tensor.from(large);

function measure(name, fn) {
  const n = 2_000_000;
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const ns = Number(process.hrtime.bigint() - t0) / n;
    best = Math.min(best, ns);
  }
  console.log(`${name.padEnd(28)} ${best.toFixed(1)} ns/call`);
  return best;
}

const base = measure("noop()", () => noop());
const a = measure("view_touch(Float32Array 1K)", () => touch(small));
const b = measure("view_touch(Float32Array 1M)", () => touch(large));
const c = measure("view_touch(Tensor 1M)", () => touch(tensor));
console.log(`ratio 1K/noop ${(a / base).toFixed(2)}, 1M/noop ${(b / base).toFixed(2)}, Tensor/noop ${(c / base).toFixed(2)}`);
session.dispose();

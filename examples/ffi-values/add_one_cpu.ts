// Seed 004 (JAX TVM FFI README): examples/cpp/add_one_cpu.cc takes two 1-D float32
// TensorViews. Float32Arrays pass zero-copy: C++ writes straight into the JS array.
import assert from "node:assert/strict";
import { Tensor, loadModule } from "tvm-ffi-orcjit";
import { compileExample, compiler } from "./common.ts";

const mod = loadModule(await compileExample("add_one_cpu.cc"), { functions: ["add_one_cpu"] });
const x = new Float32Array([1, 2, 3, 4, 5]);
const y = new Float32Array(5);
mod.add_one_cpu(x, y);
console.log(`[${compiler}] add_one_cpu([${x.join(", ")}]) -> [${y.join(", ")}]`);
assert.deepEqual(Array.from(y), [2, 3, 4, 5, 6]);

// Zero-copy: mutate the JS memory, call again, observe the new values; the same works for a
// Tensor wrapping a region of a larger buffer.
x[0] = 100;
mod.add_one_cpu(x, y);
assert.equal(y[0], 101);
const big = new Float32Array(8);
const view = new Tensor(big.subarray(2, 7));
mod.add_one_cpu(x, view);
assert.deepEqual(Array.from(big), [0, 0, 101, 3, 4, 5, 6, 0]);

// The C++ checks surface as FFIErrors.
assert.throws(() => mod.add_one_cpu(new Float64Array(5), y), /x must be a float tensor/);
assert.throws(() => mod.add_one_cpu(x, new Float32Array(4)), /same shape/);
console.log(`[${compiler}] zero-copy views and checks ok`);

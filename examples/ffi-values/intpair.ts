// Seed 002 ("Pybind11 and Nanobind style Usage"): examples/cpp/intpair_raise_error.cc
// registers the object type my_ffi_extension.IntPair (constructor, fields a/b, method
// get_first, static static_get_second) and the global function my_ffi_extension.raise_error.
import assert from "node:assert/strict";
import { FFIError, getGlobalFunc, loadModule, registerObject } from "tvm-ffi-orcjit";
import { compileExample, compiler } from "./common.ts";

loadModule(await compileExample("intpair_raise_error.cc")); // static init registers the type

const IntPair = registerObject("my_ffi_extension.IntPair");
const pair = new IntPair(1, 2);
console.log(`[${compiler}] ${pair}: a=${pair.a} b=${pair.b} get_first()=${pair.get_first()} static_get_second=${IntPair.static_get_second(pair)}`);
assert.equal(pair.a, 1);
assert.equal(pair.b, 2);
assert.equal(pair.get_first(), 1);
assert.equal(IntPair.static_get_second(pair), 2);
assert.ok(pair instanceof IntPair);

const raiseError = getGlobalFunc("my_ffi_extension.raise_error");
try {
  raiseError("hello from JS");
  assert.fail("raise_error did not throw");
} catch (e) {
  assert.ok(e instanceof FFIError);
  assert.equal(e.kind, "RuntimeError");
  assert.match(e.message, /hello from JS/);
  // The C++ file and line of TVM_FFI_THROW are in the stack.
  const where = /intpair_raise_error\.cc", line \d+/.exec(e.stack ?? "");
  assert.ok(where, `no C++ file:line in ${e.stack}`);
  console.log(`[${compiler}] raise_error -> ${e.kind}: ${e.message.split("\n", 1)[0]} (${where[0]})`);
}

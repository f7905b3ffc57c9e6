// Seed 000 (tvm-ffi-orcjit README): incremental loading. Objects added to one library one
// after the other; functions from the first stay valid after the second is linked. Then
// "Direct Module Access" with loadModule.
import assert from "node:assert/strict";
import { ExecutionSession, loadModule } from "tvm-ffi-orcjit";
import { compileExample, compiler } from "./common.ts";

const session = new ExecutionSession();
const lib = session.createLibrary("incremental");
lib.add(await compileExample("math_ops.cc"));
const add = lib.getFunction("simple_add");
lib.add(await compileExample("string_ops.cc"));
const concat = lib.getFunction("string_concat");
console.log(`[${compiler}] simple_add(10, 20) = ${add(10, 20)}; string_concat("Hello", "World") = ${concat("Hello", "World")}`);
assert.equal(add(10, 20), 30);
assert.equal(concat("Hello", "World"), "HelloWorld");

const module = loadModule(await compileExample("my_function.cc"), { functions: ["my_function"] });
console.log(`[${compiler}] my_function(2, 3) via loadModule = ${module.my_function(2, 3)}`);
assert.equal(module.my_function(2, 3), 5);
session.dispose();

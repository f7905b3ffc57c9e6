// Seed 001 (OrcJIT README): examples/cpp/add.cc, a lambda exported with
// TVM_FFI_DLL_EXPORT_TYPED_FUNC, loaded with loadModule and called as a property
// (`functions` names it: checked at load, typed as a property).
import assert from "node:assert/strict";
import { loadModule } from "tvm-ffi-orcjit";
import { compileExample, compiler } from "./common.ts";

const mod = loadModule(await compileExample("add.cc"), { functions: ["add"] });
const result = mod.add(1, 2);
console.log(`[${compiler}] add(1, 2) = ${result}`);
assert.equal(result, 3);
assert.equal(mod.getFunction("add")(40, 2), 42);

// Shared by the examples: compile one of examples/cpp/* (unchanged) with the compiler named
// on the command line (--compiler clang|gcc, default clang) into the object cache.
import { fileURLToPath } from "node:url";
import { build } from "tvm-ffi-orcjit";

export const compiler = process.argv.includes("--compiler") ? process.argv[process.argv.indexOf("--compiler") + 1] : "clang";
export const cppDir = fileURLToPath(new URL("../cpp/", import.meta.url));

/** Path of the cached object for examples/cpp/<file>. */
export async function compileExample(file) {
  const [obj] = await build({ name: `ffi-values-${compiler}`, sources: [cppDir + file], compiler });
  return obj;
}

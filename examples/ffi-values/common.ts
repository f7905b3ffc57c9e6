// Shared by the examples: compile one of examples/cpp/* (unchanged) with the compiler named
// on the command line (--compiler clang|gcc, default clang) into the object cache.
import { fileURLToPath } from "node:url";
import { build } from "tvm-ffi-orcjit";

const flag = process.argv.indexOf("--compiler");
export const compiler: string = flag >= 0 ? (process.argv[flag + 1] ?? "clang") : "clang";
export const cppDir = fileURLToPath(new URL("../cpp/", import.meta.url));

/** Path of the cached object for examples/cpp/<file>. */
export async function compileExample(file: string): Promise<string> {
  const [obj] = await build({ name: `ffi-values-${compiler}`, sources: [cppDir + file], compiler });
  if (obj === undefined) throw new Error(`no object built for ${file}`);
  return obj;
}

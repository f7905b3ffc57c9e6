// The same project through the library API: load, build (cached), link in dependency order, call.
import { loadProject } from "tvm-ffi-orcjit";

const project = await loadProject(new URL(".", import.meta.url).pathname);
const result = await project.build({
  onProgress: (e) => e.kind !== "start" && console.log(`[${e.index + 1}/${e.total}] ${e.kind} ${e.library}: ${e.relativePath}`),
});
console.log(`${result.compiled} compiled, ${result.cached} cached`);
await project.load();
console.log("math.add(1, 2) =", project.library("math").getFunction("add")(1, 2));
console.log("caller.call_math(10, 20) =", project.library("caller").getFunction("call_math")(10, 20));
console.log("caller.dot3(1, 2, 3) =", project.library("caller").getFunction("dot3")(1, 2, 3));
project.dispose();

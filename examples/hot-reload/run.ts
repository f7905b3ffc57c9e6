// Hot reload through the library API: one stable handle keeps calling the newest code.
//
//   npm run example examples/hot-reload/run.ts             # then edit src/scale.cc or include/params.h; Ctrl-C stops
//   npm run example -- examples/hot-reload/run.ts --demo  # works on a temp copy, makes one edit itself, exits
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { watchProject } from "tvm-ffi-orcjit";

const demo = process.argv.includes("--demo");
let dir = fileURLToPath(new URL(".", import.meta.url));
if (demo) {
  const copy = mkdtempSync(path.join(tmpdir(), "orcjit-hot-reload-"));
  cpSync(dir, copy, { recursive: true });
  dir = copy;
}

// [example.begin]
const w = await watchProject(dir, { debounceMs: 50 });
const scale = w.library("kernels").getFunction("scale"); // a stable handle
console.log(`scale(2) = ${scale(2)}`);

w.on("reload", (e) => {
  const files = e.changedFiles.map((f) => path.relative(dir, f)).join(", ");
  console.log(`${files} changed → reloaded ${e.libraries.join(", ")} in ${Math.round(e.durationMs)} ms ` +
    `(${e.build.compiled} compiled, ${e.build.cached} cached): scale(2) = ${scale(2)}`);
});
w.on("error", (e) => console.error(`${e.message}\n(the previous code keeps serving: scale(2) = ${scale(2)})`));
// [example.end]

if (demo) {
  const reloaded = new Promise((resolve) => w.once("reload", resolve));
  const params = path.join(dir, "include/params.h");
  writeFileSync(params, readFileSync(params, "utf8").replace("FACTOR 2.0", "FACTOR 3.0"));
  await reloaded;
  console.log(w.library("kernels").getFunction("describe")());
  await w.close();
  rmSync(dir, { recursive: true, force: true });
} else {
  console.log(`watching ${dir} (Ctrl-C to stop)`);
  process.once("SIGINT", () => void w.close());
}

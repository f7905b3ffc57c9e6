// Child process for the warm-path test: one loadInline of a one-function C++ module, timed.
// argv: <transpiled src dir> <cacheDir> <compiler>
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [srcDir, cacheDir, compiler] = process.argv.slice(2);
const t0 = performance.now();
const { loadInline } = await import(pathToFileURL(join(srcDir, "project", "load-inline.js")).href);
const t1 = performance.now();
const mod = await loadInline({
  name: "warm",
  cppSources: "int64_t add_one(int64_t x) { return x + 1; }",
  functions: ["add_one"],
  cacheDir,
  compiler,
});
const t2 = performance.now();
const result = mod.add_one(41);
process.stdout.write(
  JSON.stringify({ result, cacheHit: mod.objects.every((o) => o.cacheHit), importMs: t1 - t0, loadInlineMs: t2 - t1 }),
);

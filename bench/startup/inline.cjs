// Fresh process → require the package (its CommonJS entry) → warm loadInline → first result:
// the CommonJS twin of inline.mjs, so it compares with koffi.cjs without the ES module loader
// on one side only. Spawned by bench/figures-startup.js (argv: the entry's path, cache dir).
const [entry, cacheDir] = process.argv.slice(2);
const { loadInline } = require(entry);
loadInline({
  name: "bench_startup",
  cppSources: "#include <cstdint>\nint64_t add(int64_t a, int64_t b) { return a + b; }\n",
  functions: ["add"],
  cacheDir,
}).then((mod) => console.log(String(mod.add(40, 2))));

// Fresh process → import the package → warm loadInline → first result. Spawned by
// bench/figures-startup.js (argv: package entry URL, cache dir); prints the result.
const [entry, cacheDir] = process.argv.slice(2);
const { loadInline } = await import(entry);
const mod = await loadInline({
  name: "bench_startup",
  cppSources: "#include <cstdint>\nint64_t add(int64_t a, int64_t b) { return a + b; }\n",
  functions: ["add"],
  cacheDir,
});
console.log(String(mod.add(40, 2)));

// Fresh process → import the package → [stage] → prints 42. For CPU-time views of start-up
// in stages with bench/startup/cpu-compare.mjs (argv: package entry URL, cache dir, stage):
//   import   the import alone
//   session  + the addon's dlopen/Init and one ExecutionSession
//   full     + a warm loadInline and add(40, 2) (as inline.mjs; run it once first)
// e.g. node bench/startup/cpu-compare.mjs 41 "import=node bench/startup/stage.mjs file://$PWD/dist/bundle/index.js /tmp/c import" ...
const [entry, cacheDir, stage] = process.argv.slice(2);
const m = await import(entry);
if (stage === "session") { new m.ExecutionSession(); }
if (stage === "full") { const mod = await m.loadInline({ name: "bench_startup", cppSources: "#include <cstdint>\nint64_t add(int64_t a, int64_t b) { return a + b; }\n", functions: ["add"], cacheDir }); console.log(String(mod.add(40,2))); }
else console.log("42");

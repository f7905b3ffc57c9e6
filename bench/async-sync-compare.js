// Sync call cost of a typed C++ add/noop (loadInline), median of 7 rounds of 2 M calls, for
// comparing two checkouts in alternating processes (the async work must not slow sync calls):
//   for i in 1 2; do node bench/async-sync-compare.js /work/main; node bench/async-sync-compare.js $PWD; done
// (add --after-async to both to measure sync calls of a thread that has made async calls)
const root = process.argv[2];
const { loadInline } = await import(root + "/dist/index.js");
const mod = await loadInline({ name: "sync_cmp", cppSources: "int64_t add(int64_t a, int64_t b) { return a + b; }\nvoid noop() {}", functions: ["add", "noop"], cacheDir: "/tmp/sync_cmp_cache" });
const f = mod.add, g = mod.noop;
// --after-async: one async call first, so this thread's sync calls mark themselves (SyncCallMark)
const afterAsync = process.argv.includes("--after-async");
if (afterAsync) await g.async();
const per = (fn) => { const t0 = process.hrtime.bigint(); for (let i = 0; i < 2e6; i++) fn(); return Number(process.hrtime.bigint() - t0) / 2e6; };
per(() => f(1, 2)); per(() => g());
const a = [], b = [];
for (let k = 0; k < 7; k++) { a.push(per(() => f(1, 2))); b.push(per(() => g())); }
const med = (x) => x.sort((p, q) => p - q)[3];
console.log(JSON.stringify({ root, afterAsync, typedAddNs: med(a), typedNoopNs: med(b) }));

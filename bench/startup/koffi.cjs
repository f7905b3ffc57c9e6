// Fresh process → koffi loads the same function from a .so → first result (the baseline of
// bench/figures-startup.js; argv: the .so path).
const koffi = require("koffi");
const add = koffi.load(process.argv[2]).func("int64_t bench_add(int64_t a, int64_t b)");
console.log(String(add(40, 2)));

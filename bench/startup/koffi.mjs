// Fresh process → koffi loads the same function from a .so → first result, as an ES module
// (the baseline of inline.mjs in bench/figures-startup.js; koffi is a CommonJS package, so it
// is loaded with createRequire as an ES module program would; argv: the .so path).
import { createRequire } from "node:module";
const koffi = createRequire(import.meta.url)("koffi");
const add = koffi.load(process.argv[2]).func("int64_t bench_add(int64_t a, int64_t b)");
console.log(String(add(40, 2)));

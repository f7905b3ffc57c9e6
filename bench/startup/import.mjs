// Fresh process → import the package, nothing else (argv: package entry URL). Prints the
// import's own duration (ms) and how many package modules it loaded.
import { createRequire } from "node:module";
const t0 = performance.now();
await import(process.argv[2]);
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, cjs: Object.keys(createRequire(import.meta.url).cache).length }));

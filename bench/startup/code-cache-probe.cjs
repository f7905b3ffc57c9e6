// An experiment, not used by the package: how much a V8 code cache for the CommonJS bundle
// would save a fresh process (Node 20 has no module.enableCompileCache). Stands in for
// dist/bundle/index.cjs: compiles it with vm.Script and the cached data in
// $ORCJIT_PROBE_CODE_CACHE (default /tmp/orcjit-probe-index.cjs.v8cache); when there is none
// (or V8 rejects it) it writes one at exit, after the warm path has run, so the functions that
// path compiled lazily are in it too. Usage (the first run writes the cache):
//   node bench/startup/inline.cjs $PWD/bench/startup/code-cache-probe.cjs <cache dir>
// Not safe as it stands: V8 checks only the source length, flags and version against the cached
// data, so a real one must key the file by the bundle's content and keep it where only the
// user can write (it is code). See /work/notes/k17.md "k17b".
const fs = require("node:fs");
const vm = require("node:vm");
const path = require("node:path");
const Module = require("node:module");

const file = path.join(__dirname, "..", "..", "dist", "bundle", "index.cjs");
const cacheFile = process.env.ORCJIT_PROBE_CODE_CACHE ?? "/tmp/orcjit-probe-index.cjs.v8cache";
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  // none yet: written at exit
}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), {
  filename: file,
  cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (cachedData === undefined || script.cachedDataRejected) process.on("exit", () => fs.writeFileSync(cacheFile, script.createCachedData()));
const m = { exports: {} };
script.runInThisContext()(m.exports, Module.createRequire(file), m, file, path.dirname(file));
module.exports = m.exports;

#!/usr/bin/env node
// Bundles tsc's output (dist/index.js, dist/internals.js, dist/cli/main.js, dist/compiler/pch-worker.js) into
// dist/bundle/ with esbuild: the package's "." and "./internals" exports, its `orcjit` bin, and the detached PCH
// builder that src/compiler/pch.ts starts from the file next to itself. Why: Node's ES module loader resolves, reads and
// compiles every file on its own (about 60 for the API), which costs a fresh process more
// than everything a warm loadInline does after it; one file costs a fraction of that.
//   - The package entry (".") is bundled with code splitting: the project and watch modules,
//     which it imports on first use (src/lazy-api.ts), land in a chunk of their own, code they
//     share with the entry in one more. The warm path of a fresh process (`import` +
//     loadInline) loads two files: index.js and that shared chunk.
//   - "./internals" (compiler building blocks: functions, no classes of their own) is bundled
//     on its own, but takes the error classes from the entry (errors.js → ./index.js), so an
//     error it throws is `instanceof` the class "." exports. Were it split together with ".",
//     esbuild would cut the API's code into one chunk per set of entries using it (four files
//     on the warm path; each costs the ES module loader a resolve, a read, a compile and a link).
//   - The CLI and the PCH builder are separate processes that never share objects with the
//     API: each is one file with its own copy of the code it uses.
//   - Dependencies (yaml, ajv, chokidar, commander, ...) stay external: they are still loaded
//     from node_modules on first use of the feature that needs them, never at import.
//   - The output sits two directories below the package root, like every tsc module
//     (dist/<dir>/<file>.js): modules locate package files (schema/, native/include,
//     build/Release, templates/) with `new URL("../../…", import.meta.url)`, which therefore
//     means the same in both builds (src/util/package-root.ts).
// Run by `npm run build:ts` after tsc; usage: node scripts/bundle.mjs
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const outdir = path.join(root, "dist", "bundle");

rmSync(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  // classes keep their names: esbuild emits a class that refers to itself as
  // `var Tensor = class _Tensor`, whose name would be "_Tensor" (Tensor, DataType, Device,
  // FFIObject, DynamicLibrary, Module, Project; seen by users in inspection and messages)
  keepNames: true,
  logLevel: "warning",
};
await build({ ...common, entryPoints: { index: "dist/index.js" }, splitting: true, chunkNames: "chunk-[hash]" });
const errorsFromEntry = {
  name: "errors-from-entry",
  setup(b) {
    const errors = path.join(root, "dist", "errors.js");
    b.onResolve({ filter: /errors\.js$/ }, (args) =>
      path.resolve(args.resolveDir, args.path) === errors ? { path: "./index.js", external: true } : undefined);
  },
};
await build({ ...common, entryPoints: { internals: "dist/internals.js" }, plugins: [errorsFromEntry] });
await build({ ...common, entryPoints: { cli: "dist/cli/main.js" } });
await build({ ...common, entryPoints: { "pch-worker": "dist/compiler/pch-worker.js" } });
// The CommonJS entry (the "require" condition of "."): for programs that cannot import an ES
// module synchronously (TypeScript compiled to CommonJS on Node 20.17–20.18, where require() of an ES
// module is not available), and a start without the ES module loader (≈ 3 ms of CPU less than the ES entry; README Start-up). One file:
// esbuild does not split CommonJS output, so the project and watch modules are in it too, but
// wrapped and only evaluated on the first loadProject/watchProject (src/lazy-api.ts).
// `import.meta.url` becomes this file's URL: it sits in dist/bundle/ like index.js, so every
// `new URL("../../…", import.meta.url)` keeps its meaning. Dependencies stay external and
// their dynamic import() stays an import() (execa is an ES module only).
// "use strict" first: esbuild puts its own directive after the banner, where it no longer counts, and
// the source is ES module code (always strict)
const BANNER = '"use strict"; var __orcjitModuleUrl = require("node:url").pathToFileURL(__filename).href; ' +
  'var __orcjitImport = typeof __orcjitLoaderImport === "function" ? __orcjitLoaderImport : (s) => import(s);';
// The bundle is api.cjs; index.cjs (the file require() loads) is scripts/code-cache-entry.cjs,
// which evaluates api.cjs as require() would but with a V8 code cache keyed by api.cjs's content
// hash, written into it here (docs/cache.md "V8 code cache").
await build({
  ...common,
  format: "cjs",
  entryPoints: { api: "dist/index.js" },
  outExtension: { ".js": ".cjs" },
  define: { "import.meta.url": "__orcjitModuleUrl" },
  banner: { js: BANNER },
});
// A dynamic import() in code compiled by vm.Script needs a callback of its own (Node's
// importModuleDynamically; its main-context loader is experimental — a warning on stderr — and
// does not survive V8 cached data), so each `import("<dependency>")` (chokidar) calls
// __orcjitImport instead: index.cjs passes its own import(), which resolves a bare specifier
// from the same directory; loaded by plain require(), the banner's fallback does the import().
const apiFile = path.join(outdir, "api.cjs");
const api = readFileSync(apiFile, "utf8").replace(/\bimport\("/g, '__orcjitImport("');
if (/\bimport\(/.test(api.slice(BANNER.length))) throw new Error("dist/bundle/api.cjs: an import() that is not import(\"<literal>\"): the code-cache entry could not serve it");
writeFileSync(apiFile, api);
const sha = createHash("sha256").update(readFileSync(apiFile)).digest("hex").slice(0, 16);
const loader = readFileSync(path.join(root, "scripts", "code-cache-entry.cjs"), "utf8");
if (!loader.includes('"@BUNDLE_SHA256@"')) throw new Error("scripts/code-cache-entry.cjs: no BUNDLE_SHA256 placeholder");
writeFileSync(path.join(outdir, "index.cjs"), loader.replace('"@BUNDLE_SHA256@"', JSON.stringify(sha)));

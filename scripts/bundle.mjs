#!/usr/bin/env node
// Bundles tsc's output (dist/index.js, dist/internals.js, dist/cli/main.js, dist/compiler/pch-worker.js) into
// dist/bundle/ with esbuild: the package's "." and "./internals" exports, its `orcjit` bin, and the detached PCH
// builder that src/compiler/pch.ts starts from the file next to itself. Why: Node's ES module loader resolves, reads and
// compiles every file on its own (about 60 for the API), which costs a fresh process more
// than everything a warm loadInline does after it; one file costs a fraction of that.
//   - The package's two exports ("." and "./internals") are bundled together with code
//     splitting, so code they share lives in one chunk: one copy of each class, so instanceof
//     holds between objects from the two in one process. The warm path of a fresh process
//     (`import` + loadInline) then loads two files: index.js and that chunk.
//   - The CLI and the PCH builder are separate processes and never share objects with the
//     API: each is bundled on its own into one file (its own copy of the code it uses). Were
//     they split together with the API, esbuild would cut the API's code into one chunk per
//     set of entries using it (four files on the warm path; each costs the ES module loader a
//     resolve, a read, a compile and a link: ≈ 1 ms of CPU apiece in a fresh process).
//   - Dependencies (yaml, ajv, chokidar, commander, ...) stay external: they are still loaded
//     from node_modules on first use of the feature that needs them, never at import.
//   - The output sits two directories below the package root, like every tsc module
//     (dist/<dir>/<file>.js): modules locate package files (schema/, native/include,
//     build/Release, templates/) with `new URL("../../…", import.meta.url)`, which therefore
//     means the same in both builds (src/util/package-root.ts).
// Run by `npm run build:ts` after tsc; usage: node scripts/bundle.mjs
import { build } from "esbuild";
import { rmSync } from "node:fs";
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
  logLevel: "warning",
};
await build({ ...common, entryPoints: { index: "dist/index.js", internals: "dist/internals.js" }, splitting: true, chunkNames: "chunk-[hash]" });
await build({ ...common, entryPoints: { cli: "dist/cli/main.js" } });
await build({ ...common, entryPoints: { "pch-worker": "dist/compiler/pch-worker.js" } });

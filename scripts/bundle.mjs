#!/usr/bin/env node
// Bundles tsc's output (dist/index.js, dist/internals.js, dist/cli/main.js, dist/compiler/pch-worker.js) into
// dist/bundle/ with esbuild: the package's "." and "./internals" exports, its `orcjit` bin, and the detached PCH
// builder that src/compiler/pch.ts starts from the file next to itself. Why: Node's ES module loader resolves, reads and
// compiles every file on its own (about 60 for the API), which costs a fresh process more
// than everything a warm loadInline does after it; one file costs a fraction of that.
//   - The entries are bundled together with code splitting, so code they share lives in one
//     chunk (one copy of each class: instanceof holds between the API and the CLI).
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
await build({
  absWorkingDir: root,
  entryPoints: { index: "dist/index.js", internals: "dist/internals.js", cli: "dist/cli/main.js", "pch-worker": "dist/compiler/pch-worker.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunk-[hash]",
  sourcemap: "linked",
  logLevel: "warning",
});

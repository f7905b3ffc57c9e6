// Rebuilds dist/ (tsc -p tsconfig.build.json, then the bundled package entry:
// scripts/bundle.mjs) when any file under src/ is newer than dist/cli/main.js or the bundle is
// missing. Run under `flock` by test/cli/helpers.ts so parallel test files neither
// build twice nor run the CLI while it is being written.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const main = path.join(root, "dist/cli/main.js");
const bundled = path.join(root, "dist/bundle/cli.js");

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = !existsSync(main) || statSync(main).mtimeMs < newest(path.join(root, "src"));
if (stale) {
  try {
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    // tsc still emits JavaScript when some file has type errors; type-checking is the job of
    // `npm run typecheck`. Only a missing CLI is fatal here.
    process.stderr.write(`build-dist: tsc reported errors (JavaScript emitted anyway):\n${e.stdout ?? ""}`);
    if (!existsSync(main)) process.exit(1);
  }
}
if (stale || !existsSync(bundled) || statSync(bundled).mtimeMs < statSync(main).mtimeMs) {
  execFileSync(process.execPath, [path.join(root, "scripts/bundle.mjs")], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
}

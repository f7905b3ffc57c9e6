// Call overhead of a project's stable function handle (project.library(n).getFunction(f),
// which follows generation swaps) and of a watch handle, against the JIT function itself
// (project.library(n).dynamicLibrary.getFunction(f), one generation). Same kernel, same
// process, rounds interleaved; median ns per call of `add(int, int)`.
//   npm run build:ts && node bench/project-handle.mjs [rounds] [callsPerRound]
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const { loadProject, watchProject } = await import(path.join(root, "dist/index.js"));
const rounds = Number(process.argv[2] ?? 9);
const calls = Number(process.argv[3] ?? 1_000_000);

const dir = mkdtempSync(path.join(tmpdir(), "orcjit-bench-handle-"));
try {
  cpSync(path.join(root, "test/fixtures/projects/multi-c"), dir, { recursive: true });
  const options = { cacheDir: path.join(dir, ".cache"), env: {} };
  const project = await loadProject(dir, options);
  await project.load();
  const watcher = await watchProject(dir, { ...options, watch: false });
  const variants = {
    "JIT function (one generation)": project.library("math").dynamicLibrary.getFunction("add"),
    "project handle": project.library("math").getFunction("add"),
    "watch handle": watcher.library("math").getFunction("add"),
  };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    for (const [name, f] of Object.entries(variants)) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) sink += f(i, 1);
      samples[name].push(Number(process.hrtime.bigint() - t0) / calls);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(samples["JIT function (one generation)"]);
  for (const [name, xs] of Object.entries(samples)) {
    const m = median(xs);
    console.log(`${name.padEnd(32)} ${m.toFixed(1).padStart(7)} ns/call  (${(m / base).toFixed(2)}×)`);
  }
  if (sink === 42) console.log("");
  await watcher.close();
  project.dispose();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

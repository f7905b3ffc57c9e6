// What watch mode's consistency costs per save: the old rebuild path (compile the changed
// library only: project.rebuildLibraries) against the new one (look every library up by
// content and settle: project.refresh(names, { settle: true })), interleaved ABBA in one
// process on the same project, 10 independent C libraries including one shared header.
// Two cases: the saved file alternates between two cached versions (no compiler runs: the
// pure overhead), and it gets new contents every time (a compile per save).
//
//   npm run build:ts && node bench/watch-refresh.mjs [rounds]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadProject } from "../dist/index.js";
import { stats } from "./harness.js";

const rounds = Number(process.argv[2] ?? 21);
const LIBS = 10;
const dir = mkdtempSync(path.join(os.tmpdir(), "orcjit-bench-refresh-"));
const cacheDir = path.join(dir, ".cache");
try {
  mkdirSync(path.join(dir, "src"));
  mkdirSync(path.join(dir, "include"));
  writeFileSync(path.join(dir, "include/common.h"), "#include <stdint.h>\n#define BASE 1\n");
  const source = (i, v) => `#include "common.h"\nint64_t lib${i}_value(void) { return BASE + ${v}; }\n`;
  let manifest = "version: 1\ndefaults:\n  includeDirs: [include]\nlibraries:\n";
  for (let i = 0; i < LIBS; i++) {
    writeFileSync(path.join(dir, `src/l${i}.c`), source(i, 0));
    manifest += `  l${i}: { sources: [src/l${i}.c] }\n`;
  }
  writeFileSync(path.join(dir, "orcjit.yaml"), manifest);
  const project = await loadProject(dir, { cacheDir });
  await project.load();
  const file = path.join(dir, "src/l0.c");
  let fresh = 1000;
  const save = (mode, n) => writeFileSync(file, source(0, mode === "cached" ? n % 2 : ++fresh));
  // warm: both cached versions exist
  for (const v of [0, 1, 0]) {
    writeFileSync(file, source(0, v));
    await project.rebuildLibraries(["l0"]);
  }
  const paths = {
    old: () => project.rebuildLibraries(["l0"]),
    new: () => project.refresh(["l0"], { settle: true }),
  };
  for (const mode of ["cached", "compiled"]) {
    const samples = { old: [], new: [] };
    let n = 0;
    for (let r = 0; r < rounds; r++) {
      for (const which of r % 2 === 0 ? ["old", "new", "new", "old"] : ["new", "old", "old", "new"]) {
        save(mode, n++);
        // as in watch mode, where a build starts after the file settled (debounce): a file
        // written within ~10 ms of a build's start makes the settle check look again
        await new Promise((r) => setTimeout(r, 30));
        const t0 = process.hrtime.bigint();
        await paths[which]();
        samples[which].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    const o = stats(samples.old);
    const c = stats(samples.new);
    console.log(
      `${mode.padEnd(8)} rebuildLibraries (old path): median ${o.median.toFixed(2)} ms [IQR ${o.q1.toFixed(2)}–${o.q3.toFixed(2)}]; ` +
        `refresh + settle (new path): median ${c.median.toFixed(2)} ms [IQR ${c.q1.toFixed(2)}–${c.q3.toFixed(2)}]; ` +
        `+${(c.median - o.median).toFixed(2)} ms (${(c.median / o.median).toFixed(2)}×), n=${o.n}`,
    );
  }
  project.dispose();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

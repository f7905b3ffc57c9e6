// Warm cache-hit path of compileUnits (one C unit, N hits in one process), this tree against a
// baseline tree built from another commit, interleaved in fresh processes; prints medians.
//   git worktree add --detach /tmp/base <commit> && (cd /tmp/base && ln -s $PWD/node_modules . && npx tsc -p tsconfig.build.json)
//   npm run build:ts && node bench/cache-hit.mjs /tmp/base/dist [hits=1000] [rounds=6]
// Syscalls per hit (deterministic, unlike time on a shared machine): run the child under
// `strace -f -c` with two hit counts and divide the difference of the totals.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
if (process.argv[2] === "--child") {
  const [, , , dist, n] = process.argv;
  const { compileUnits } = await import(join(dist, "compiler", "index.js"));
  const dir = mkdtempSync(join(tmpdir(), "orcjit-hitbench-"));
  writeFileSync(join(dir, "a.c"), "#include <tvm/ffi/c_api.h>\nint a(void) { return 1; }\n");
  const opts = { compiler: "clang", cacheDir: join(dir, "c") };
  const unit = [{ source: join(dir, "a.c") }];
  await compileUnits(unit, opts);
  for (let i = 0; i < 50; i++) await compileUnits(unit, opts); // warm-up
  const t = performance.now();
  for (let i = 0; i < +n; i++) if (!(await compileUnits(unit, opts))[0].cacheHit) throw new Error("miss");
  console.log(((performance.now() - t) / +n) * 1000);
} else {
  const [base, hits = "1000", rounds = "6"] = process.argv.slice(2);
  if (!base) throw new Error("usage: node bench/cache-hit.mjs <baseline dist dir> [hits] [rounds]");
  const here = fileURLToPath(new URL("../dist", import.meta.url));
  const run = (dist) => Number(execFileSync(process.execPath, [self, "--child", dist, hits], { encoding: "utf8" }));
  const a = [];
  const b = [];
  for (let r = 0; r < +rounds; r++) {
    a.push(run(here));
    b.push(run(base));
  }
  const median = (x) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
  console.log(`this tree: ${median(a).toFixed(0)} µs per hit (runs: ${a.map((x) => x.toFixed(0)).join(", ")})`);
  console.log(`baseline:  ${median(b).toFixed(0)} µs per hit (runs: ${b.map((x) => x.toFixed(0)).join(", ")})`);
}

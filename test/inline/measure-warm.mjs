// Measures loadInline of a one-function C++ module: cold (compile) vs warm (cache hit), each in
// a fresh Node process with the same temporary cache.
//   npm run build:ts && node test/inline/measure-warm.mjs [clang|gcc] [runs]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
if (process.argv[2] === "--child") {
  const [, , , cacheDir, compiler] = process.argv;
  const t0 = performance.now();
  const { loadInline } = await import("../../dist/index.js");
  const t1 = performance.now();
  const mod = await loadInline({ name: "measure", cppSources: "int64_t add_one(int64_t x) { return x + 1; }", functions: ["add_one"], cacheDir, compiler });
  const t2 = performance.now();
  if (mod.add_one(1) !== 2) throw new Error("wrong result");
  const t3 = performance.now();
  console.log(JSON.stringify({ hit: mod.objects[0].cacheHit, importMs: +(t1 - t0).toFixed(1), loadInlineMs: +(t2 - t1).toFixed(1), firstCallMs: +(t3 - t2).toFixed(2) }));
} else {
  const compiler = process.argv[2] ?? "clang";
  const runs = Number(process.argv[3] ?? 3);
  for (let i = 0; i < runs; i++) {
    const cacheDir = mkdtempSync(join(tmpdir(), "orcjit-measure-"));
    try {
      const run = () => {
        const t = performance.now();
        const out = JSON.parse(execFileSync(process.execPath, [self, "--child", cacheDir, compiler], { encoding: "utf8" }));
        return { ...out, processMs: +(performance.now() - t).toFixed(1) };
      };
      console.log(`${compiler} cold`, JSON.stringify(run()));
      console.log(`${compiler} warm`, JSON.stringify(run()));
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
}

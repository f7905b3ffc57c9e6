// Child of concurrency.test.ts: builds and loads the same modules against one shared cache,
// many times, and checks every result. argv: <dist dir> <cacheDir> <iterations> <worker id> <src dir>
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist, cacheDir, iterations, id, srcDir] = process.argv.slice(2);
const { ExecutionSession, loadInline, compileUnits } = await import(pathToFileURL(join(dist, "index.js")).href);

const variant = (v) => `#include <stdint.h>
int __tvm_ffi_value(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) { r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = ${1000 + v} + (n ? a[0].v_int64 : 0); return 0; }
`;
const stats = { worker: Number(id), iterations: 0, hits: 0, misses: 0, calls: 0 };
for (let i = 0; i < Number(iterations); i++) {
  const session = new ExecutionSession();
  try {
    const shared = await loadInline({ name: "conc_shared", cppSources: "int64_t twice(int64_t x) { return 2 * x; }", functions: ["twice"], cacheDir, session });
    if (shared.twice(21 + i) !== 42 + 2 * i) throw new Error(`shared module returned a wrong value at iteration ${i}`);
    const v = (i + Number(id)) % 4;
    const mod = await loadInline({ name: `conc_v${v}`, cSources: variant(v), cacheDir, session, force: i % 7 === 3 });
    if (mod.getFunction("value")(i) !== 1000 + v + i) throw new Error(`variant ${v} returned a wrong value at iteration ${i}`);
    // Plain compile of files every worker shares, then load the object.
    const objs = await compileUnits([{ source: join(srcDir, "k1.c") }, { source: join(srcDir, "k2.cc") }], { cacheDir, compiler: "clang", force: i % 5 === 4 });
    const lib = session.createLibrary("k");
    for (const o of objs) {
      lib.add(o.objectPath);
      o.cacheHit ? stats.hits++ : stats.misses++;
    }
    if (lib.getFunction("k1")(5) !== 6 || lib.getFunction("k2")(5) !== 10) throw new Error(`k1/k2 wrong at iteration ${i}`);
    stats.calls += 4;
    stats.iterations++;
  } finally {
    session.dispose();
  }
}
process.stdout.write(JSON.stringify(stats));

// Link-path figure (issue 13): createLibrary + add + getFunction + call + dispose, for a C
// object and a C++ object with exceptions, per cycle. Compare checkouts in one run:
//   node bench/link-cycle.mjs [cycles] [checkout dir ...]   (default: this checkout)
// Each checkout (its dist/ and build/Release addon) runs in its own child process,
// alternating, 3 rounds; the objects are this checkout's test fixtures (gcc).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const [cyclesArg, ...addons] = process.argv.slice(2);
const cycles = Number(cyclesArg ?? 300);
if (process.env.LINK_CYCLE_CHILD) {
  const { ExecutionSession } = await import(pathToFileURL(join(process.env.LINK_CYCLE_CHILD, "dist/index.js")).href);
  const objs = { c: join(root, "test/.fixtures/gcc/c/add.o"), cxx: join(root, "test/.fixtures/gcc/cc/exceptions.o") };
  const out = {};
  const session = new ExecutionSession();
  for (const [k, obj] of Object.entries(objs)) {
    const run = (n) => {
      for (let i = 0; i < n; i++) {
        const lib = session.createLibrary(`b${i}`);
        lib.add(obj);
        if (k === "c") lib.getFunction("add")(1, 2);
        else lib.link();
        lib.dispose();
      }
    };
    run(20); // warm-up (archive index, LLVM caches)
    const t0 = process.hrtime.bigint();
    run(cycles);
    out[k] = Number(process.hrtime.bigint() - t0) / 1e3 / cycles;
  }
  session.dispose();
  process.stdout.write(JSON.stringify(out));
} else {
  const list = addons.length ? addons : [root];
  const results = Object.fromEntries(list.map((a) => [a, []]));
  for (let round = 0; round < 3; round++)
    for (const a of list)
      results[a].push(JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(cycles)], { env: { ...process.env, LINK_CYCLE_CHILD: a, ORCJIT_ADDON_PATH: join(a, "build/Release/tvm_ffi_orcjit.node") }, encoding: "utf8" })));
  for (const a of list) {
    const med = (k) => results[a].map((r) => r[k]).sort((x, y) => x - y)[1].toFixed(0);
    console.log(`${a}: C object ${med("c")} µs/cycle, C++ object ${med("cxx")} µs/cycle (median of 3, ${cycles} cycles)`);
  }
}

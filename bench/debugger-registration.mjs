// Debugger registration cost (issue 15, docs/debugging.md): one load cycle = createLibrary +
// add a -g object + link + call + dispose, with the library registered with debuggers
// (`debug: true`: object copy, section addresses, GDB JIT register + unregister) vs not.
//   node bench/debugger-registration.mjs [cycles=200] [rounds=5]
// Then, when gdb is installed, the same cycles with debug on inside a process running under
// `gdb -batch` (gdb stops at every register/unregister and reads the object): the figure
// that matters for "hundreds of reloads under a debugger stay usable".
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cycles = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
const { ExecutionSession, loadInline } = await import(pathToFileURL(join(root, "dist/index.js")).href);
const { addon: loadBinding } = await import(pathToFileURL(join(root, "dist/values/native.js")).href); // initialized as the package does

// A kernel with debug info (compiled once, from the cache afterwards), as loadInline makes it.
const m = await loadInline({
  name: "dbg_bench",
  cppSources: "int64_t dbg_bench(int64_t n) {\n  int64_t acc = 0;\n  for (int64_t i = 0; i < n; ++i) acc += i;\n  return acc;\n}\n",
  functions: ["dbg_bench"],
  debug: true,
  optLevel: 0,
});
const object = m.objects[0].objectPath;
const { statSync } = await import("node:fs");
if (!process.env.DEBUGGER_BENCH_CHILD) console.log(`object: ${statSync(object).size} bytes with -g`);

function cycle(session, debug, n) {
  for (let i = 0; i < n; i++) {
    const lib = session.createLibrary(`c${i}`, { debug });
    lib.add(object);
    lib.getFunction("dbg_bench")(10);
    lib.dispose();
  }
}

if (process.env.DEBUGGER_BENCH_CHILD) {
  // Under gdb: time only the cycles, after one warm-up cycle.
  const session = new ExecutionSession();
  cycle(session, true, 1);
  const t0 = process.hrtime.bigint();
  cycle(session, true, cycles);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // Then libraries that stay loaded: gdb's list grows; time each batch of 50 loads.
  const kept = [];
  const batches = [];
  for (let b = 0; b < cycles / 50; b++) {
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < 50; i++) {
      const lib = session.createLibrary(`k${b}_${i}`, { debug: true });
      lib.add(object);
      lib.getFunction("dbg_bench")(10);
      kept.push(lib);
    }
    batches.push(Number(process.hrtime.bigint() - t1) / 1e6 / 50);
  }
  const entries = loadBinding().debuggerEntryCount();
  for (const lib of kept) lib.dispose();
  console.log(`CHILD ${JSON.stringify({ ms, entries, batches, after: loadBinding().debuggerEntryCount() })}`);
} else {
  const session = new ExecutionSession();
  cycle(session, false, 20); // warm-up
  cycle(session, true, 20);
  const times = { off: [], on: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 ? ["on", "off"] : ["off", "on"]) {
      const t0 = process.hrtime.bigint();
      cycle(session, mode === "on", cycles);
      times[mode].push(Number(process.hrtime.bigint() - t0) / 1e6 / cycles);
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const off = median(times.off);
  const on = median(times.on);
  console.log(`load cycle (create + add + link + call + dispose), ${cycles} cycles x ${rounds} rounds, median per cycle:`);
  console.log(`  debugger off ${off.toFixed(3)} ms`);
  console.log(`  debugger on  ${on.toFixed(3)} ms   (${(on / off).toFixed(3)}x, +${((on - off) * 1000).toFixed(0)} us per object registered and unregistered)`);
  console.log(`  entries left registered: ${loadBinding().debuggerEntryCount()}`);

  const hasGdb = spawnSync("gdb", ["--version"]).status === 0;
  if (hasGdb) {
    const dir = mkdtempSync(join(tmpdir(), "orcjit-dbgbench-"));
    let out = "";
    try {
      out = execFileSync(
        "gdb",
        ["-batch", "-nx", "-ex", "run", "--args", process.execPath, fileURLToPath(import.meta.url), String(cycles)],
        { cwd: dir, env: { ...process.env, DEBUGGER_BENCH_CHILD: "1" }, encoding: "utf8", maxBuffer: 64 << 20 },
      );
    } catch (e) {
      out = `${e.stdout ?? ""}${e.stderr ?? ""}`;
    }
    const line = out.split("\n").find((l) => l.startsWith("CHILD "));
    if (line) {
      const { ms, entries, batches, after } = JSON.parse(line.slice(6));
      console.log(`under gdb ${cycles} load/dispose cycles (register + unregister each): ${ms.toFixed(0)} ms (${(ms / cycles).toFixed(2)} ms per cycle)`);
      console.log(`under gdb ${cycles} libraries kept loaded, ms per load by batch of 50: ${batches.map((x) => x.toFixed(1)).join(", ")} (${entries} entries registered; ${after} after disposing them)`);
    } else {
      console.log(`under gdb: no result\n${out.slice(-2000)}`);
    }
  }
}

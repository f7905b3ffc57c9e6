// Child process for abort.test.ts: runs one compile through a deliberately slow compiler
// (a wrapper that records its pid, sleeps, then runs gcc) and lets the test kill it mid-way.
//   node abort-worker.mjs <srcDir> <mode: worker|plain> <source> <cacheDir> <compiler>
// worker: the compile runs in a worker thread, which this process terminates once the
//         compiler has started (the file <cacheDir>.started appears); prints "terminated".
// plain:  the compile runs on the main thread; the test sends the signal.
import { existsSync, readFileSync } from "node:fs";
import { Worker, isMainThread, workerData } from "node:worker_threads";
import { join } from "node:path";

const [srcDir, mode, source, cacheDir, compiler] = isMainThread ? process.argv.slice(2) : workerData;
const { compileUnits } = await import(join(srcDir, "compiler", "index.js"));
const run = () => compileUnits([{ source }], { compiler, cacheDir }).then(
  () => console.log("compiled"),
  (e) => console.log(`failed: ${e.message}`),
);

if (!isMainThread || mode === "plain") {
  await run();
} else {
  const w = new Worker(new URL(import.meta.url), { workerData: [srcDir, mode, source, cacheDir, compiler] });
  while (!existsSync(`${cacheDir}.started`)) await new Promise((r) => setTimeout(r, 20));
  // the group is running now: report it before the attack, for the test to check
  try {
    process.kill(-Number(readFileSync(`${cacheDir}.pgid`, "utf8")), 0);
    console.log("group alive");
  } catch {
    console.log("group not found");
  }
  await w.terminate();
  console.log("terminated");
}

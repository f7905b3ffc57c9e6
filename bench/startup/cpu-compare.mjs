// CPU time of fresh processes, the steadier view of start-up on a loaded machine:
//   node bench/startup/cpu-compare.mjs <rounds> <label>=<command> ...
// runs the commands interleaved under `perf stat -e task-clock` (all threads of the process)
// and prints each one's median wall time and median CPU time, as ratios to the first. E.g.
//   node bench/startup/cpu-compare.mjs 21 \
//     "koffi=node bench/startup/koffi.cjs node_modules/.cache/orcjit-bench/libbench_plain.so" \
//     "inline=node bench/startup/inline.mjs file://$PWD/dist/bundle/index.js /tmp/orcjit-startup-cache" \
//     "bare=node -e 0"
// (run inline.mjs once first so its cache is warm). Needs perf (Debian: linux-perf).
import { spawnSync } from "node:child_process";
const [n, ...specs] = process.argv.slice(2);
const runs = specs.map((s) => { const i = s.indexOf("="); return { label: s.slice(0, i), cmd: s.slice(i + 1).split(" "), wall: [], cpu: [] }; });
for (let k = 0; k < Number(n); k++) for (const r of runs) {
  const t0 = process.hrtime.bigint();
  const p = spawnSync("perf", ["stat", "-x,", "-e", "task-clock", ...r.cmd], { encoding: "utf8" });
  r.wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (p.status !== 0) { console.log(r.label, "FAILED", p.stderr); process.exit(1); }
  const m = /^([\d.]+),msec,task-clock/m.exec(p.stderr); r.cpu.push(Number(m[1]));
}
const med = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const b = runs[0];
for (const r of runs) console.log(r.label.padEnd(10), "wall", med(r.wall).toFixed(1), `(${(med(r.wall)/med(b.wall)).toFixed(2)}x)`, "min", Math.min(...r.wall).toFixed(1), " cpu", med(r.cpu).toFixed(1), `(${(med(r.cpu)/med(b.cpu)).toFixed(2)}x)`, "min", Math.min(...r.cpu).toFixed(1));

// npm run bench [-- --quick] [--filter a,b] [--no-build] [--rounds N] [--forks N]
// Runs every figure of issue 7 as a ratio to a baseline measured in the same run and writes
// bench/results/latest.{json,md} (partial runs: node_modules/.cache/orcjit-bench/results/).
// It reports; it never fails on a missed target.
// In-process call figures run in --forks fresh processes (default 3) and report the fork with
// the median ratio: V8 sometimes settles a sampler in a slower tier for a whole process.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { buildArtifacts, ROOT } from "./build.js";
import { callFigures } from "./figures-calls.js";
import { processFigures } from "./figures-process.js";
import { startupFigures } from "./figures-startup.js";
import { farmFigures } from "./figures-farm.js";
import { batch, interleave, machineInfo, markdown, NotAvailable, writeReport } from "./harness.js";

const argv = process.argv.slice(2);
const USAGE = `usage: npm run bench [-- options]   (or: node --expose-gc bench/run.js [options])
  --quick          fewer rounds and one fork (about a minute)
  --filter a,b     only these figure ids (e.g. noop,add,f32-read,typed-add,link)
  --no-build       skip \`npm run build:ts\` (measure dist/ as it is)
  --rounds N       interleaved rounds per figure (default 41, --quick 11)
  --forks N        fresh processes per call figure (default 3, --quick 1)
Writes bench/results/latest.{json,md} for a full run, node_modules/.cache/orcjit-bench/results/ otherwise.`;
// Options that take a value, and flags; anything else is a mistake (a typo would otherwise
// start the whole multi-minute bench).
const VALUED = new Set(["--filter", "--rounds", "--forks", "--only"]);
const FLAGS = new Set(["--quick", "--no-build", "--in-fork", "--help", "-h"]);
for (let i = 0; i < argv.length; i++) {
  if (VALUED.has(argv[i])) i++;
  else if (!FLAGS.has(argv[i])) {
    console.error(`bench: unknown option '${argv[i]}'\n${USAGE}`);
    process.exit(2);
  }
}
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
const flag = (f) => argv.includes(f);
const opt = (f) => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag("--quick");
const filter = opt("--filter")?.split(",");
const rounds = Number(opt("--rounds") ?? (quick ? 11 : 41));
const inFork = flag("--in-fork");
const only = opt("--only");
const forks = inFork ? 1 : Number(opt("--forks") ?? (quick ? 1 : 3));
const log = (...a) => console.error("[bench]", ...a);

if (!globalThis.gc) log("note: run with node --expose-gc for steadier numbers");

if (!flag("--no-build") && !inFork) {
  // Build dist/ so the bench measures the current sources; a failing build leaves dist as is.
  const r = spawnSync("npm", ["run", "-s", "build:ts"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) log("npm run build:ts failed; using the existing dist/ (figures may be n/a)\n" + (r.stdout + r.stderr).slice(0, 800));
}

const artifacts = buildArtifacts(log);
const require = createRequire(import.meta.url);
const addon = require(artifacts.addon);
const koffi = require("koffi");
const koffiAdd = koffi.load(artifacts.plainSo).func("int64_t bench_add(int64_t a, int64_t b)");
const koffiNoop = koffi.load(artifacts.plainSo).func("void bench_noop(void)");
const koffiF32First = koffi.load(artifacts.plainSo).func("double bench_f32_first(const float* p)");

const ctx = { rounds, quick, artifacts, addon, koffiAdd, koffiNoop, koffiF32First, log };
const figures = [...callFigures, ...processFigures, ...startupFigures, ...farmFigures].filter((f) =>
  only ? f.id === only : !filter || filter.some((x) => f.id.includes(x)),
);
const callIds = new Set(callFigures.map((f) => f.id));

/** Runs `--only id` in `forks` fresh processes; returns each fork's { rows, absolute }. */
function runForks(id) {
  const out = [];
  for (let k = 0; k < forks; k++) {
    const r = spawnSync(
      process.execPath,
      [...process.execArgv, path.join(ROOT, "bench", "run.js"), "--in-fork", "--only", id, "--rounds", String(rounds), ...(quick ? ["--quick"] : [])],
      { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("@@RESULT "));
    if (!line) throw new Error(`fork for ${id} exited ${r.status} without a result: ${(r.stderr ?? "").slice(-600)}`);
    out.push(JSON.parse(line.slice(9)));
  }
  return out;
}

/** Per row id, the row of the fork with the median ratio, with every fork's ratio attached. */
function medianFork(results) {
  const byId = new Map();
  for (const res of results) for (const row of res.rows) (byId.get(row.id) ?? byId.set(row.id, []).get(row.id)).push(row);
  return [...byId.values()].map((rs) => {
    const ok = rs.filter((r) => r.status === "ok");
    if (!ok.length) return rs[0];
    ok.sort((a, b) => a.ratio - b.ratio);
    const mid = (v) => v.sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
    return {
      ...ok[Math.floor((ok.length - 1) / 2)],
      forkRatios: ok.map((r) => Number(r.ratio.toFixed(3))),
      // For the absolute ns/call table: the median over forks, not the median-ratio fork's.
      candidateMedianOverForks: mid(ok.map((r) => r.candidate.median)),
    };
  });
}

// Absolute per-call figures: the no-JIT peers measured here, the JIT calls measured above,
// and published peer numbers (taken on other machines).
const absolute = [];
const wantPeers = only ? only === "peers" : !filter || filter.includes("peers");
if (wantPeers && forks > 1) {
  log(`peers: absolute ns/call of the no-JIT baselines (${forks} forks)`);
  const per = new Map();
  for (const res of runForks("peers")) for (const a of res.absolute) (per.get(a.what) ?? per.set(a.what, []).get(a.what)).push(a.nsPerCall);
  for (const [what, v] of per) absolute.push({ what, nsPerCall: v.sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)] });
} else if (wantPeers) {
  log("peers: absolute ns/call of the no-JIT baselines");
  let sink = 0;
  const small = new Float32Array(1024);
  const cb = () => {};
  const h = addon.dlopenSym(artifacts.ffiCallsSo, "__tvm_ffi_add");
  const safeNoop = addon.safeCallFn(h, "__tvm_ffi_noop");
  const safeAdd = addon.safeCallFn(h, "__tvm_ffi_add");
  if (safeAdd(40, 2) !== 42) throw new Error("safeCallFn reference is broken");
  const s = await interleave(
    {
      "node-addon-api noop()": batch(() => addon.noop()),
      "koffi noop() from a .so": batch(() => koffiNoop()),
      "node-addon-api add(1, 2)": batch(() => (sink += addon.add(1, 2))),
      "koffi add(1, 2) from a .so": batch(() => (sink += koffiAdd(1, 2))),
      "node-addon-api f32Len(Float32Array 1 K)": batch(() => (sink += addon.f32Len(small))),
      "(reference) node-addon-api → TVM-FFI safe-call noop from a .so": batch(() => safeNoop()),
      "(reference) node-addon-api → TVM-FFI safe-call add(1, 2) from a .so": batch(() => (sink += safeAdd(1, 2))),
      "napi_call_function round trip (per call, loop of 1000)": batch(() => addon.callJs(cb, 1000)),
    },
    { rounds },
  );
  addon.dlclose(h); // else later dlopen figures would only bump a reference count
  for (const [what, st] of Object.entries(s)) {
    absolute.push({ what, nsPerCall: what.startsWith("napi_call") ? st.median / 1000 : st.median });
  }
}
const rows = [];
for (const f of figures) {
  log(`${f.id}: ${f.figure}${forks > 1 && callIds.has(f.id) ? ` (${forks} forks)` : ""}`);
  const base = { id: f.id, figure: f.figure, baselineLabel: f.baselineLabel, target: f.target };
  try {
    if (forks > 1 && callIds.has(f.id)) {
      rows.push(...medianFork(runForks(f.id)));
      const last = rows[rows.length - 1];
      log(last.status === "ok" ? `  ratio ${last.ratio.toFixed(2)}× (forks: ${last.forkRatios?.join(", ")})` : `  ${last.status}: ${last.reason}`);
      continue;
    }
    const res = await f.run(ctx);
    for (const r of Array.isArray(res) ? res : [res]) rows.push({ ...base, ...r });
  } catch (e) {
    const na = e instanceof NotAvailable;
    rows.push({ ...base, status: na ? "n/a" : "error", reason: na ? e.message : (e.stack ?? String(e)).split("\n").slice(0, 3).join(" ") });
  }
  const last = rows[rows.length - 1];
  log(last.status === "ok" ? `  ratio ${last.ratio.toFixed(2)}× (${last.met ? "met" : "MISSED"})` : `  ${last.status}: ${last.reason}`);
}

if (inFork) {
  console.log("@@RESULT " + JSON.stringify({ rows, absolute }));
  process.exit(0);
}

const jitCalls = { noop: "candidate", add: "candidate", tensor: "candidate", "tensor-1m": "candidate", callback: "candidate" };
for (const r of rows) {
  if (r.status === "ok" && jitCalls[r.id]) absolute.push({ what: r.candidateLabel, nsPerCall: r.candidateMedianOverForks ?? r.candidate.median });
}
absolute.push(
  { what: "Python tvm-ffi no-op call (published, other machine)", nsPerCall: 72 },
  { what: "TVMFFI.jl no-op call (published, other machine)", nsPerCall: 11 },
);

const machine = machineInfo();
const partial = quick || filter || argv.includes("--rounds") || argv.includes("--forks");
const resultsDir = partial ? path.join(artifacts.dir, "results") : path.join(ROOT, "bench", "results");
if (partial) log(`partial run: results in ${resultsDir} (bench/results/ keeps the last full run)`);
writeReport(resultsDir, {
  machine,
  options: { quick, rounds, forks, filter: filter ?? null, command: `node ${process.execArgv.join(" ")} bench/run.js ${argv.join(" ")}`.trim() },
  rows,
  absolute,
});
console.log(markdown(machine, rows, absolute));

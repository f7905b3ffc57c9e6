// Measurement core: interleaved candidate/baseline samples, robust statistics, reports.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, renameSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Thrown by a figure whose API has not landed yet: reported as "n/a (reason)". */
export class NotAvailable extends Error {}

export const now = () => process.hrtime.bigint();

/** Quantile by linear interpolation on a sorted copy. */
function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    q1: quantile(s, 0.25),
    q3: quantile(s, 0.75),
    min: s[0],
    max: s[s.length - 1],
  };
}

/**
 * A sampler for a cheap operation: runs `op` in a loop of `n` and returns ns per op.
 * `n` is calibrated once so that a batch takes about `batchMs`: short batches, so that on a
 * busy machine most of them run without being preempted and the median stays clean.
 */
let samplerId = 0;

export function batch(op, { batchMs = 0.5 } = {}) {
  let n = 0;
  // A fresh function per sampler: its own type feedback, so `op` stays monomorphic and
  // inlinable instead of every sampler sharing one megamorphic call site. The source must be
  // unique: V8's eval cache would hand identical source the same shared function info.
  const loop = new Function("op", "now", "k", `/* sampler ${++samplerId} */ const t0 = now(); for (let i = 0; i < k; i++) op(); return Number(now() - t0);`);
  const run = (k) => loop(op, now, k);
  return () => {
    if (n === 0) {
      n = 16;
      while (run(n) < batchMs * 1e6 * 0.5 && n < 1 << 26) n *= 2;
      for (let i = 0; i < 3; i++) run(n); // warm-up at the final size
    }
    return run(n) / n;
  };
}

/**
 * Interleaves the samplers: each round runs every sampler once, the order alternating
 * (ABBA...) so drift and warm-up hit both sides alike. Samplers return ns per op
 * (sync or async). Returns one stats object per sampler, keyed like the input.
 */
export async function interleave(samplers, { rounds, warmupRounds = 1 } = {}) {
  const keys = Object.keys(samplers);
  const out = Object.fromEntries(keys.map((k) => [k, []]));
  for (let r = 0; r < warmupRounds + rounds; r++) {
    const order = r % 2 === 0 ? keys : [...keys].reverse();
    for (const k of order) {
      if (globalThis.gc && r === 0) globalThis.gc();
      const v = await samplers[k]();
      if (r >= warmupRounds) out[k].push(v);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, stats(out[k])]));
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    compiler: ["clang++-22", "c++"]
      .map((c) => firstLine(spawnSync(c, ["--version"], { encoding: "utf8" }).stdout))
      .filter(Boolean)
      .join("; "),
    totalMemMB: Math.round(os.totalmem() / 2 ** 20),
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    date: new Date().toISOString(),
  };
}

function firstLine(s) {
  return (s ?? "").split("\n")[0].trim();
}

/** Human unit for a ns figure. */
export function fmtNs(ns) {
  if (ns == null || Number.isNaN(ns)) return "–";
  if (ns < 1e3) return `${ns.toFixed(ns < 100 ? 1 : 0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

function fmtValue(st, unit) {
  if (!st) return "–";
  const f = unit === "MB" ? (v) => `${v.toFixed(1)} MB` : fmtNs;
  return `${f(st.median)} (IQR ${f(st.q1)}–${f(st.q3)})`;
}

/** Writes latest.json and latest.md atomically (temp file + rename). */
export function writeReport(dir, { machine, rows, options, absolute = [] }) {
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify({ machine, options, rows, absolute }, null, 2) + "\n";
  atomicWrite(path.join(dir, "latest.json"), json);
  atomicWrite(path.join(dir, "latest.md"), markdown(machine, rows, absolute));
}

function atomicWrite(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function markdown(machine, rows, absolute = []) {
  const head =
    `Measured ${machine.date.slice(0, 10)} on ${machine.cpuModel} (${machine.cores} cores), ` +
    `Node ${machine.node}, ${machine.compiler}, load average ${machine.loadAverage?.join(" ")} at the end. ` +
    "Median of interleaved rounds, IQR in parentheses.\n\n" +
    "| figure | baseline | candidate | ratio | target | met? |\n|---|---|---|---|---|---|\n";
  const lines = rows.map((r) => {
    if (r.status !== "ok") {
      return `| ${r.figure} | ${r.baselineLabel ?? ""} | ${r.status === "n/a" ? "n/a" : "error"} (${esc(r.reason)}) | – | ${r.target} | – |`;
    }
    const b = `${r.baselineLabel}: ${fmtValue(r.baseline, r.unit)}`;
    const c = `${r.candidateLabel}: ${fmtValue(r.candidate, r.unit)}`;
    const ratio = r.ratioText ?? `${r.ratio.toFixed(2)}×`;
    return `| ${r.figure} | ${b} | ${c} | ${ratio} | ${r.target} | ${r.met ? "yes" : "**no**"} |`;
  });
  let abs = "";
  if (absolute.length) {
    abs =
      "\n| call | ns/call (median) |\n|---|---|\n" +
      absolute.map((a) => `| ${a.what} | ${a.nsPerCall.toFixed(1)} |`).join("\n") +
      "\n";
  }
  const notes = rows.filter((r) => r.status === "ok" && r.note).map((r) => `- ${r.id}: ${r.note}`);
  return head + lines.join("\n") + "\n" + (notes.length ? `\n${notes.join("\n")}\n` : "") + abs;
}

function esc(s) {
  return String(s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ").slice(0, 200);
}

export function readJsonIfExists(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

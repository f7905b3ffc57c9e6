// Builds and runs the libFuzzer object-loader harness (scripts/fuzz.sh → build-fuzz/): first
// every kept regression input (fuzz/regressions/), then ORCJIT_FUZZ_RUNS (default 30,000)
// mutations of real clang and gcc objects with seed 1. The corpus is built byte-identically on
// any checkout, so the run is repeatable: it fails when a change breaks the loader, not by luck.
// Any crash, hang (>20 s per input), leak or sanitizer report fails it; the crashing input is
// left in fuzz/regressions/ to be kept. Open-ended random campaigns (which keep finding JITLink
// defects to guard against): scripts/fuzz.sh <seconds>, or ORCJIT_FUZZ_SECONDS here.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { record, ROOT } from "./helpers.js";

const seconds = process.env.ORCJIT_FUZZ_SECONDS;
const runs = seconds ? undefined : (process.env.ORCJIT_FUZZ_RUNS ?? "30000");
const budget = runs ? `${runs} libFuzzer runs (seed 1)` : `${seconds} s of libFuzzer`;

it(`object loader survives ${budget} with ASan+UBSan`, async () => {
  const before = new Set(readdirSync(join(ROOT, "fuzz/regressions")));
  const lbDir = join(ROOT, "fuzz/regressions-library-bin");
  const lbBefore = new Set(existsSync(lbDir) ? readdirSync(lbDir) : []);
  const resultFile = join(tmpdir(), `orcjit-fuzz-result-${process.pid}.json`);
  const r = await execa("bash", [join(ROOT, "scripts/fuzz.sh"), seconds ?? "0"], { cwd: ROOT, reject: false, all: true, env: { FUZZ_RESULT: resultFile, FUZZ_SEED: process.env.FUZZ_SEED ?? "1", ...(runs ? { FUZZ_RUNS: runs } : {}) } });
  // libFuzzer names its artifacts crash-/leak-/timeout-/oom-<sha1> (kept inputs get renamed).
  const added = readdirSync(join(ROOT, "fuzz/regressions")).filter((f) => !before.has(f) && /^(crash|leak|timeout|oom)-/.test(f));
  expect(added, `new crashing inputs: ${added.join(", ")}\n${r.all?.slice(-6000)}`).toEqual([]);
  const lbAdded = (existsSync(lbDir) ? readdirSync(lbDir) : []).filter((f) => !lbBefore.has(f) && /^(crash|leak|timeout|oom)-/.test(f));
  expect(lbAdded, `new crashing library_bin inputs: ${lbAdded.join(", ")}\n${r.all?.slice(-6000)}`).toEqual([]);
  expect(r.exitCode, r.all?.slice(-6000)).toBe(0);
  const result = JSON.parse(readFileSync(resultFile, "utf8")) as { seconds: number; executions: number; corpus: number; regressions: number };
  expect(result.executions).toBeGreaterThan(0);
  // The __tvm_ffi__library_bin decoder on raw blobs (fuzz/library_bin_fuzzer.cc), same bound.
  const lb = JSON.parse(readFileSync(resultFile.replace(/\.json$/, "-library-bin.json"), "utf8")) as { seconds: number; executions: number; corpus: number; regressions: number };
  expect(lb.executions).toBeGreaterThan(0);
  record("fuzz", { door: "__tvm_ffi__library_bin decoder (libFuzzer, ASan+UBSan)", input: `mutated blobs from ${lb.corpus} generated seeds (valid trees and malformed ones), ${lb.regressions} regression inputs replayed`, count: lb.executions, held: "every input: a tree that keeps the decoder's promises (indices in range, no cycle, bytes inside the blob) or LibraryBinError with an offset inside it", durationMs: lb.seconds * 1000 });
  record("fuzz", { door: "object loader (libFuzzer, ASan+UBSan)", input: `mutated/truncated ELF from ${result.corpus} seeds (clang + gcc objects), ${result.regressions} regression inputs replayed`, count: result.executions, held: "every input: linked or JitError; no crash, hang, leak or sanitizer report", durationMs: result.seconds * 1000 });
}, 30 * 60_000);

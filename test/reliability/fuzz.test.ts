// Builds and runs the libFuzzer object-loader harness (scripts/fuzz.sh → build-fuzz/): first
// every kept regression input (fuzz/regressions/), then mutation fuzzing seeded from real
// clang and gcc objects for ORCJIT_FUZZ_SECONDS (default 150). Any crash, hang (>20 s per
// input), leak or sanitizer report fails the run; the crashing input is left in
// fuzz/regressions/ to be kept. Seed 1 (FUZZ_SEED) makes the input sequence repeatable on a
// fresh checkout; longer random campaigns: scripts/fuzz.sh <seconds>.
import { readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { record, ROOT } from "./helpers.js";

const seconds = Number(process.env.ORCJIT_FUZZ_SECONDS ?? 150);

it(`object loader survives ${seconds} s of libFuzzer with ASan+UBSan`, async () => {
  const before = new Set(readdirSync(join(ROOT, "fuzz/regressions")));
  const resultFile = join(tmpdir(), `orcjit-fuzz-result-${process.pid}.json`);
  const r = await execa("bash", [join(ROOT, "scripts/fuzz.sh"), String(seconds)], { cwd: ROOT, reject: false, all: true, env: { FUZZ_RESULT: resultFile, FUZZ_SEED: process.env.FUZZ_SEED ?? "1" } });
  // libFuzzer names its artifacts crash-/leak-/timeout-/oom-<sha1> (kept inputs get renamed).
  const added = readdirSync(join(ROOT, "fuzz/regressions")).filter((f) => !before.has(f) && /^(crash|leak|timeout|oom)-/.test(f));
  expect(added, `new crashing inputs: ${added.join(", ")}\n${r.all?.slice(-6000)}`).toEqual([]);
  expect(r.exitCode, r.all?.slice(-6000)).toBe(0);
  const result = JSON.parse(readFileSync(resultFile, "utf8")) as { seconds: number; executions: number; corpus: number; regressions: number };
  expect(result.executions).toBeGreaterThan(0);
  record("fuzz", { door: "object loader (libFuzzer, ASan+UBSan)", input: `mutated/truncated ELF from ${result.corpus} seeds (clang + gcc objects), ${result.regressions} regression inputs replayed`, count: result.executions, held: "every input: linked or JitError; no crash, hang, leak or sanitizer report", durationMs: result.seconds * 1000 });
}, 30 * 60_000);

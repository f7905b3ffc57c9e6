// Runtime sweep (issue 13): small C and C++ sources that each use one runtime facility a
// normal link provides (libgcc, libc_nonshared, libatomic, libstdc++), compiled with clang-22
// and gcc at -O0, -O2 and -O3 -march=native, then each loaded and called. Every case must
// load and return its "expect:" value.
//
// CI cost: the objects go through compileUnits into a cache kept under test/.fixtures (a
// re-run compiles nothing); compiles run in parallel, limited to the core count. Loading runs
// in one child process (test/jit/runtime-sweep/load-matrix.mjs).
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileUnits, type CompileUnit } from "../../src/index.js";
import { FIXTURE_OUT, ROOT } from "../helpers/fixtures.js";
import { record } from "../reliability/helpers.js";

const DIR = join(ROOT, "test/jit/runtime-sweep");
const CASES = join(DIR, "cases");
const CACHE = join(FIXTURE_OUT, "sweep-cache");

interface Case {
  name: string;
  sources: string[];
  flags: string[];
  compilers: string[];
  expect: number;
}

function readCases(): Case[] {
  const out: Case[] = [];
  for (const file of readdirSync(CASES).sort()) {
    if (!/\.(c|cc)$/.test(file)) continue;
    const text = readFileSync(join(CASES, file), "utf8");
    if (/^\/\/ sweep-part/m.test(text)) continue;
    const expectLine = /^\/\/ expect: (-?\d+)/m.exec(text);
    if (!expectLine) throw new Error(`${file}: no "// expect: N" line`);
    const also = /^\/\/ sweep-also: (.+)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
    const flags = /^\/\/ sweep-flags: (.+)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
    const compilers = /^\/\/ sweep-compilers: ([\w,]+)/m.exec(text)?.[1]?.split(",") ?? [...COMPILERS];
    out.push({ name: file, sources: [file, ...also].map((f) => join(CASES, f)), flags, compilers, expect: Number(expectLine[1]) });
  }
  return out;
}

const COMPILERS = ["clang", "gcc"] as const;
const LEVELS = [
  { id: "O0", optLevel: 0 as const, extra: [] as string[] },
  { id: "O2", optLevel: 2 as const, extra: [] as string[] },
  { id: "O3-native", optLevel: 3 as const, extra: ["-march=native"] },
];

interface Job {
  id: string;
  objects: string[];
  expect: number;
}
interface Outcome {
  id: string;
  ok: boolean;
  value?: number;
  error?: string;
  errorClass?: string;
}

function loadAll(jobs: Job[]): Promise<{ outcomes: Outcome[]; stderr: string; code: number | null; signal: string | null }> {
  const file = join(FIXTURE_OUT, `sweep-jobs-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(jobs));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIR, "load-matrix.mjs"), join(ROOT, "dist"), file], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code, signal) => {
      const outcomes = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Outcome);
      resolve({ outcomes, stderr, code, signal });
    });
  });
}

describe("runtime sweep", () => {
  it("every case links, loads and returns its value (clang-22 and gcc × -O0, -O2, -O3 -march=native)", async () => {
    const cases = readCases();
    mkdirSync(CACHE, { recursive: true });
    const t0 = performance.now();
    const jobs: Job[] = [];
    for (const compiler of COMPILERS) {
      for (const level of LEVELS) {
        const units: CompileUnit[] = [];
        const owner: number[] = [];
        cases.forEach((c, i) => {
          if (!c.compilers.includes(compiler)) return;
          for (const s of c.sources) {
            units.push({ source: s, flags: c.flags, includeDirs: [CASES] });
            owner.push(i);
          }
        });
        const objs = await compileUnits(units, { compiler, optLevel: level.optLevel, extraCflags: level.extra, cacheDir: CACHE, jobs: Math.max(1, availableParallelism()) });
        cases.forEach((c, i) => {
          if (!c.compilers.includes(compiler)) return;
          jobs.push({ id: `${c.name}/${compiler}/${level.id}`, objects: objs.filter((_, k) => owner[k] === i).map((o) => o.objectPath), expect: c.expect });
        });
      }
    }
    const compileMs = performance.now() - t0;
    const { outcomes, stderr, code, signal } = await loadAll(jobs);
    const lastStarted = [...stderr.matchAll(/^start (.+)$/gm)].pop()?.[1];
    expect({ code, signal }, `the loader child died while running ${lastStarted}:\n${stderr.slice(-2000)}`).toEqual({ code: 0, signal: null });
    const failed = outcomes.filter((o) => !o.ok);
    const passed = outcomes.length - failed.length;
    console.log(`runtime sweep: ${passed}/${outcomes.length} pass (${cases.length} cases × 2 compilers × 3 levels; -femulated-tls cases clang only); compile ${Math.round(compileMs)} ms`);
    for (const f of failed) console.log(`  FAIL ${f.id}: ${f.error ?? `returned ${f.value}`}`);
    record("runtime-sweep", {
      door: "Runtime sweep (libgcc, libc_nonshared, libatomic, libstdc++)",
      input: `${cases.length} cases × clang-22/gcc × -O0/-O2/-O3 -march=native`,
      count: outcomes.length,
      held: `${passed}/${outcomes.length} load and return the expected value`,
      durationMs: Math.round(performance.now() - t0),
    });
    expect(outcomes.length).toBe(jobs.length);
    expect(failed.map((f) => `${f.id}: ${f.error ?? `returned ${f.value}`}`)).toEqual([]);
  }, 900_000); // a cold cache compiles 120 objects: minutes on a loaded 2-core machine
});

// The first cold loadInline does not wait for its precompiled header: the unit compiles with
// the prelude as text while a detached `node pch-worker.js` (the built package's, next to the
// bundle) builds the PCH and publishes it into the cache. The process that asked for it may
// exit first; the worker still publishes atomically, and the next process uses the PCH. A
// worker killed half-way publishes nothing. Runs the built package (the worker is a file of
// dist/) in fresh processes.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, repoRoot } from "../cli/helpers.js";
import { cleanupTempDirs, tempDir, TOOLCHAINS } from "./helpers.js";

afterAll(cleanupTempDirs);
beforeAll(ensureBuilt);

const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { exports: { ".": { default: string } } };
const entry = pathToFileURL(path.join(repoRoot, pkg.exports["."].default)).href;

/** A fresh node that loads one module (`name`, returning 40 + 2 + k) and exits; its stdout and stderr. */
function runOnce(cacheDir: string, compiler: string, name: string, k: number): { out: string; err: string } {
  const script = `
    const { loadInline } = await import(${JSON.stringify(entry)});
    const m = await loadInline({ name: ${JSON.stringify(name)}, cppSources: "int64_t add(int64_t a, int64_t b) { return a + b + ${k}; }",
      functions: ["add"], cacheDir: ${JSON.stringify(cacheDir)}, compiler: ${JSON.stringify(compiler)}, verbose: true });
    console.log(String(m.add(40, 2)));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, ORCJIT_PCH_WAIT: "" } });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return { out: r.stdout.trim(), err: r.stderr };
}

/** Workers of this cache still running (their command line holds the job, which names the cache). */
function workers(cacheDir: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (cmd.includes("pch-worker.js") && cmd.includes(cacheDir)) pids.push(Number(d));
    } catch {
      // gone
    }
  }
  return pids;
}

async function untilNoWorkers(cacheDir: string): Promise<void> {
  while (workers(cacheDir).length) await new Promise((r) => setTimeout(r, 200));
}

/** Entries of precompiled headers in the cache (their records say so). */
function pchEntries(cacheDir: string): string[] {
  const root = path.join(cacheDir, "v1", "entries");
  return readdirSync(root).flatMap((d) => readdirSync(path.join(root, d)).map((f) => readFileSync(path.join(root, d, f), "utf8"))).filter((t) => t.includes("precompiled"));
}

describe.each(TOOLCHAINS)("the first PCH is built in the background ($name)", (tc) => {
  it("the first result does not wait; the worker publishes after the process exited; the next process uses the PCH", async () => {
    const cacheDir = await tempDir();
    const first = runOnce(cacheDir, tc.name, "bg_a", 0);
    expect(first.out).toBe("42");
    expect(first.err).toMatch(/precompiling \S+prelude\.h in the background/);
    // the first compile included the prelude as text
    expect(first.err).not.toMatch(tc.name === "clang" ? /-include-pch/ : /-Winvalid-pch/);
    await untilNoWorkers(cacheDir);
    expect(pchEntries(cacheDir)).toHaveLength(1);
    expect(readdirSync(path.join(cacheDir, "v1", "tmp"))).toEqual([]); // nothing half-written left
    const second = runOnce(cacheDir, tc.name, "bg_b", 1);
    expect(second.out).toBe("43");
    expect(second.err).toMatch(tc.name === "clang" ? /-include-pch \S+/ : /-include \S+\/pch\/\w+\/pch\.h -Winvalid-pch/);
    expect(second.err).not.toMatch(/in the background/);
  }, 300_000);

  it("a worker killed half-way publishes nothing; the next process starts another", async () => {
    const cacheDir = await tempDir();
    expect(runOnce(cacheDir, tc.name, "bg_kill", 0).out).toBe("42");
    for (const pid of workers(cacheDir)) {
      try {
        process.kill(-pid, "SIGKILL"); // its own process group (detached)
      } catch {
        // finished already
      }
    }
    await untilNoWorkers(cacheDir);
    const published = pchEntries(cacheDir).length; // 1 if the worker won the race, else 0
    const next = runOnce(cacheDir, tc.name, "bg_kill2", 1);
    expect(next.out).toBe("43");
    if (published === 0) expect(next.err).toMatch(/in the background/);
    await untilNoWorkers(cacheDir);
    expect(pchEntries(cacheDir)).toHaveLength(1);
  }, 300_000);
});

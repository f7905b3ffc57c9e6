// Threads and termination, compile layer (issue 19, item 15): a build ended by
// worker.terminate(), SIGINT, SIGKILL or an AbortSignal leaves no compiler running and no
// temp directory behind. Each attack runs in a child process; the compiler is a real gcc
// behind a wrapper that sleeps first, so the kill lands mid-compile.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compileUnits } from "../../src/compiler/index.js";
import { cleanupTempDirs, tempDir, transpiledSrc } from "../compiler/helpers.js";
import { record } from "./helpers.js";

afterAll(cleanupTempDirs);
const worker = fileURLToPath(new URL("./abort-worker.mjs", import.meta.url));

async function setup() {
  const dir = await tempDir("orcjit-abort-");
  const cacheDir = join(dir, "cache");
  writeFileSync(join(dir, "a.c"), "int a(void) { return 1; }\n");
  const wrapper = join(dir, "slow-cc");
  // $$ is the wrapper's pid = its process group (compileUnits starts compilers as group leaders).
  // Identity probes (--version, -dumpmachine) run gcc at once; a compile (-c) sleeps first.
  writeFileSync(wrapper, `#!/bin/sh\ncase " $* " in *" -c "*) ;; *) exec gcc "$@" ;; esac\necho $$ > '${cacheDir}.pgid'\n: > '${cacheDir}.started'\nsleep 60\nexec gcc "$@"\n`);
  chmodSync(wrapper, 0o755);
  return { dir, cacheDir, source: join(dir, "a.c"), wrapper };
}

const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls for an event (bounded wait, not a timing assertion). */
async function eventually(what: () => boolean, limitMs = 15_000): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return what();
}

const tmpEntries = (cacheDir: string): string[] => readdirSync(join(cacheDir, "v1", "tmp")).filter((n) => !n.startsWith(".w-"));

function startChild(args: string[]) {
  const child = spawn(process.execPath, [worker, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on("exit", (code, signal) => r({ code, signal })));
  return { child, exit, output: () => out };
}

// Groups seen alive before the attack: proves the kill hit a real, running compiler group.
const sawGroup = new Set<number>();
async function startedGroup(cacheDir: string): Promise<void> {
  expect(await eventually(() => existsSync(`${cacheDir}.started`))).toBe(true);
  const pgid = Number(readFileSync(`${cacheDir}.pgid`, "utf8"));
  if (groupAlive(pgid)) sawGroup.add(pgid);
}

async function expectCleanAfter(cacheDir: string): Promise<string> {
  const pgid = Number(readFileSync(`${cacheDir}.pgid`, "utf8"));
  expect(pgid).toBeGreaterThan(1);
  expect(sawGroup.has(pgid), "the compiler was seen running as a group leader").toBe(true);
  expect(await eventually(() => !groupAlive(pgid)), "the compiler group is gone").toBe(true);
  expect(await eventually(() => tmpEntries(cacheDir).length === 0), `no temp dirs left: ${tmpEntries(cacheDir).join(", ")}`).toBe(true);
  return `compiler group ${pgid} killed, tmp/ empty`;
}

describe("a compile ended from outside leaves nothing behind", () => {
  it("worker.terminate() while the worker's compiler runs", async () => {
    const s = await setup();
    const c = startChild([await transpiledSrc(), "worker", s.source, s.cacheDir, s.wrapper]);
    const r = await c.exit;
    expect(c.output()).toContain("group alive");
    expect(c.output()).toContain("terminated");
    expect(r.code).toBe(0);
    sawGroup.add(Number(readFileSync(`${s.cacheDir}.pgid`, "utf8")));
    const held = await expectCleanAfter(s.cacheDir);
    record("wave2-abort", { door: "threads and termination", input: "worker.terminate() mid-compile", count: 1, held });
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGKILL"] as const) {
    it(`${signal} to a process (no handler of its own) while its compiler runs`, async () => {
      const s = await setup();
      const c = startChild([await transpiledSrc(), "plain", s.source, s.cacheDir, s.wrapper]);
      await startedGroup(s.cacheDir);
      c.child.kill(signal);
      const r = await c.exit;
      expect(r.signal).toBe(signal); // the process still dies by the signal (default action kept)
      const held = await expectCleanAfter(s.cacheDir);
      record("wave2-abort", { door: "threads and termination", input: `${signal} mid-compile`, count: 1, held: `died by ${signal}; ${held}` });
    });
  }

  it("an AbortSignal mid-compile", async () => {
    const s = await setup();
    const ac = new AbortController();
    const p = compileUnits([{ source: s.source }], { compiler: s.wrapper, cacheDir: s.cacheDir, signal: ac.signal }).catch((e: unknown) => e);
    await startedGroup(s.cacheDir);
    ac.abort(new Error("stop"));
    expect(((await p) as Error).message).toBe("stop");
    const held = await expectCleanAfter(s.cacheDir);
    record("wave2-abort", { door: "threads and termination", input: "AbortSignal mid-compile", count: 1, held });
  });
});

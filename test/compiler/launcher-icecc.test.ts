// icecream for real: a private icecc-scheduler (its own port and network name) and an iceccd
// attached to it on 127.0.0.1 (its own environment directory and log), both stopped at the
// end. loadInline's C and C++ units compile through `icecc` (launcher: "icecc"): the
// scheduler's log lists a job for each unit's source, the objects load and return the right
// results, and the prelude is included as text (a local PCH cannot travel to a farm).
//
// gcc only: before its first job, icecream packs the compiler into an environment tarball for
// the farm (icecc-create-env): ≈30 MB and tens of seconds for gcc 12; for clang-22 ≈90 MB and
// about a minute more, which this test does not spend. Needs root (as in CI): iceccd then
// drops to the `icecc` user, and the client reaches it at /var/run/icecc/iceccd.socket.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cache } from "../../src/cache/index.js";
import { loadInline } from "../../src/project/load-inline.js";
import { cleanupTempDirs, freePort, tempDir, waitFor } from "./helpers.js";

const daemons: ChildProcess[] = [];
let schedLog = "";
let daemonLog = "";
const isRoot = process.getuid?.() === 0;



const read = (f: string): string => (existsSync(f) ? readFileSync(f, "utf8") : "");
/** The scheduler's "NEW <job> client=… <file> <language>" lines. */
const jobs = (): string[] => read(schedLog).split("\n").filter((l) => / NEW \d+ /.test(l));

function start(cmd: string, args: string[]): void {
  const p = spawn(cmd, args, { stdio: "ignore", detached: true });
  p.unref();
  daemons.push(p);
}

beforeAll(async () => {
  if (!isRoot) return;
  const dir = await tempDir("orcjit-icecc-");
  // The daemons run as the `icecc` user: their logs and environments need a folder it can write.
  const own = join(dir, "icecc");
  mkdirSync(own);
  chmodSync(dir, 0o755);
  chmodSync(own, 0o777);
  schedLog = join(own, "scheduler.log");
  daemonLog = join(own, "iceccd.log");
  // The scheduler listens on its port and the next one; the daemon on a third.
  let port = await freePort();
  while (port > 65000) port = await freePort();
  const net = `orcjit-test-${process.pid}`;
  start("icecc-scheduler", ["-p", String(port), "-n", net, "-l", schedLog, "-vv"]);
  await waitFor(() => read(schedLog).includes("scheduler ready"), "icecc-scheduler to start");
  start("iceccd", ["-s", `127.0.0.1:${port}`, "-n", net, "-p", String(await freePort()), "-l", daemonLog, "-vv", "-b", join(own, "envs"), "-m", "2"]);
  await waitFor(() => read(daemonLog).includes("Connected to scheduler"), "iceccd to join the scheduler");
});

afterAll(async () => {
  for (const d of daemons) {
    if (d.pid === undefined) continue;
    const exited = new Promise<void>((r) => (d.exitCode !== null ? r() : d.once("exit", () => r())));
    try {
      process.kill(-d.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  await cleanupTempDirs();
});

describe.runIf(isRoot)("icecream farm with gcc", () => {
  it("compiles loadInline's C and C++ units as scheduled jobs, and the module works", async () => {
    const dir = await tempDir();
    const cacheDir = join(dir, "cache");
    const env = { ...process.env };
    delete env.ICECC_VERSION; // the native environment of this gcc, made by icecream
    delete env.ICECC;
    delete env.ORCJIT_COMPILER_LAUNCHER;
    const before = jobs().length;
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      stderr.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    let mod;
    try {
      mod = await loadInline({
        name: "ice_mix",
        cppSources: 'extern "C" int64_t twice(int64_t);\nint64_t quad(int64_t x) { return twice(twice(x)); }',
        cSources: "#include <stdint.h>\nint64_t twice(int64_t x) { return 2 * x; }\n",
        functions: ["quad"],
        cacheDir,
        compiler: "gcc",
        launcher: "icecc",
        env,
      });
    } finally {
      process.stderr.write = write;
    }
    expect(mod.quad(3)).toBe(12);
    const added = jobs().slice(before);
    expect(added).toHaveLength(2);
    expect(added.some((l) => / C\+\+ /.test(l) && l.includes("ice_mix"))).toBe(true);
    expect(added.some((l) => / C /.test(l) && l.includes("ice_mix"))).toBe(true);
    // The prelude cannot be precompiled for a farm: said once, and included as text.
    expect(stderr.join("").match(/icecc compiles on other machines/g)).toHaveLength(1);
    expect((await cache.list({ cacheDir })).filter((e) => e.language.includes("precompiled"))).toHaveLength(0);
    // Dependencies come from the local preprocessor's depfile.
    expect(mod.objects.some((o) => o.dependencies.some((d) => d.endsWith("tvm/ffi/function.h")))).toBe(true);
    mod.dispose();
  }, 600_000);
});

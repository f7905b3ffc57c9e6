// Compile-farm figure: a 32-source manifest built with `orcjit build --force -j 8`, locally vs
// through `--launcher distcc` with a distccd started here on 127.0.0.1 (DISTCC_FALLBACK=0, so
// every job runs on the daemon; --nice 0: distccd otherwise lowers its priority). On one machine
// the daemon shares its cores with the client:
// the figure measures what the launcher path costs, not a farm's speed-up. On a loaded machine
// with sched_autogroup, local compiles (each in its own session) out-compete distccd's
// compilers (one session between them): read the ratio with that in mind.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./build.js";
import { interleave, NotAvailable, now } from "./harness.js";

const TMP = path.join(os.tmpdir(), `orcjit-bench-farm-${process.pid}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function makeProject(n) {
  const dir = path.join(TMP, "proj");
  mkdirSync(dir, { recursive: true });
  const libs = [];
  for (let i = 0; i < n; i++) {
    writeFileSync(
      path.join(dir, `s${i}.cc`),
      `#include <algorithm>\n#include <cstdint>\n#include <map>\n#include <string>\n#include <vector>\n` +
        `extern "C" int64_t f${i}(int64_t x) {\n  std::vector<int64_t> v(8, x);\n  std::map<std::string, int64_t> m{{"k", ${i}}};\n` +
        `  std::sort(v.begin(), v.end());\n  return v[0] + m["k"];\n}\n`,
    );
    if (i % 4 === 0) libs.push(`  lib${i / 4}:\n    sources:`);
    libs.push(`      - s${i}.cc`);
  }
  writeFileSync(path.join(dir, "orcjit.yaml"), `version: 1\nlibraries:\n${libs.join("\n")}\n`);
  return dir;
}

export const farmFigures = [
  {
    id: "farm-distcc",
    figure: "`orcjit build --force -j 8` of 32 C++ sources (8 libraries) through a local distccd",
    baselineLabel: "the same build, compiled locally",
    target: "info",
    async run(ctx) {
      const cli = path.join(ROOT, "dist", "cli", "main.js");
      if (!existsSync(cli)) throw new NotAvailable("waiting for dist/cli/main.js");
      if (spawnSync("distccd", ["--version"]).status !== 0) throw new NotAvailable("distccd is not installed (scripts/setup.sh installs it)");
      rmSync(TMP, { recursive: true, force: true });
      const daemonDir = path.join(TMP, "daemon");
      mkdirSync(daemonDir, { recursive: true });
      chmodSync(TMP, 0o755);
      chmodSync(daemonDir, 0o777); // distccd run as root drops to its own user
      const log = path.join(daemonDir, "distccd.log");
      const port = await freePort();
      const daemon = spawn("distccd", ["--no-detach", "--daemon", "--port", String(port), "--listen", "127.0.0.1", "--allow", "127.0.0.1", "--log-file", log, "--log-level", "info", "--nice", "0", "-j", "8"], { stdio: "ignore", detached: true });
      try {
        const t = Date.now();
        while (!(existsSync(log) && readFileSync(log, "utf8").includes("daemon started"))) {
          if (Date.now() - t > 20_000) throw new Error("distccd did not start");
          await new Promise((r) => setTimeout(r, 50));
        }
        const proj = makeProject(32);
        const cache = path.join(TMP, "cache");
        mkdirSync(path.join(TMP, "distcc-client"), { recursive: true });
        const env = { ...process.env, ORCJIT_CACHE_DIR: cache, DISTCC_HOSTS: `127.0.0.1:${port}/8`, DISTCC_FALLBACK: "0", DISTCC_SKIP_LOCAL_RETRY: "1", DISTCC_DIR: path.join(TMP, "distcc-client") };
        delete env.ORCJIT_COMPILER_LAUNCHER;
        const build = (launcher) => () => {
          const t0 = now();
          const r = spawnSync(process.execPath, [cli, "build", "--force", "-j", "8", ...(launcher ? ["--launcher", launcher] : [])], { cwd: proj, env, encoding: "utf8" });
          const ns = Number(now() - t0);
          if (r.status !== 0) throw new Error(`orcjit build ${launcher ?? ""} failed: ${(r.stderr || r.stdout).slice(0, 400)}`);
          return ns;
        };
        build(undefined)(); // toolchain identity probed once
        const okBefore = readFileSync(log, "utf8").split("COMPILE_OK").length - 1;
        const s = await interleave({ b: build(undefined), c: build("distcc") }, { rounds: ctx.quick ? 1 : 3, warmupRounds: 0 });
        const jobs = readFileSync(log, "utf8").split("COMPILE_OK").length - 1 - okBefore;
        const ratio = s.c.median / s.b.median;
        return {
          status: "ok",
          unit: "ns",
          candidateLabel: "orcjit build --force -j 8 --launcher distcc (DISTCC_HOSTS=127.0.0.1:PORT/8)",
          baseline: s.b,
          candidate: s.c,
          ratio,
          met: true,
          note: `${jobs} COMPILE_OK lines in the daemon's log over ${s.c.n} distcc build(s) of 32 sources; ${os.cpus().length} cores shared by client and daemon`,
        };
      } finally {
        try {
          process.kill(-daemon.pid, "SIGTERM");
        } catch {
          // gone
        }
        rmSync(TMP, { recursive: true, force: true });
      }
    },
  },
];

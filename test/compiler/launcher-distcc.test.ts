// A real compile farm: a distccd on 127.0.0.1 (free port, --allow 127.0.0.1, its own log),
// DISTCC_HOSTS naming only it and DISTCC_FALLBACK=0, so every compile must run there. A
// multi-library manifest is built through `launcher: distcc`; the daemon's log must show one
// COMPILE_OK per source, and the objects must load and return the right results.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cache } from "../../src/cache/index.js";
import { loadProject } from "../../src/project/index.js";
import { TOOLCHAINS, cleanupTempDirs, freePort, tempDir, waitFor } from "./helpers.js";

let dir: string;
let daemon: ChildProcess | undefined;
let port = 0;
let logFile: string;
let env: NodeJS.ProcessEnv;



const compileOks = (): string[] => (existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").filter((l) => l.includes("COMPILE_OK")) : []);

beforeAll(async () => {
  dir = await tempDir("orcjit-distcc-");
  // Run as root, distccd drops to the `distcc` user: its log and pid need a folder it can write.
  const daemonDir = join(dir, "daemon");
  mkdirSync(daemonDir);
  chmodSync(dir, 0o755);
  chmodSync(daemonDir, 0o777);
  logFile = join(daemonDir, "distccd.log");
  port = await freePort();
  daemon = spawn(
    "distccd",
    ["--no-detach", "--daemon", "--port", String(port), "--listen", "127.0.0.1", "--allow", "127.0.0.1", "--log-file", logFile, "--log-level", "info", "--pid-file", join(daemonDir, "distccd.pid"), "-j", "2"],
    { stdio: "ignore", detached: true },
  );
  daemon.unref();
  await waitFor(() => existsSync(logFile) && readFileSync(logFile, "utf8").includes("daemon started"), "distccd to start");
  const distccDir = join(dir, "client");
  mkdirSync(distccDir);
  env = { ...process.env, DISTCC_HOSTS: `127.0.0.1:${port}/4`, DISTCC_FALLBACK: "0", DISTCC_SKIP_LOCAL_RETRY: "1", DISTCC_DIR: distccDir };
  delete env.ORCJIT_COMPILER_LAUNCHER;
});

afterAll(async () => {
  if (daemon?.pid !== undefined) {
    const exited = new Promise<void>((r) => (daemon!.exitCode !== null ? r() : daemon!.once("exit", () => r())));
    try {
      process.kill(-daemon.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  await cleanupTempDirs();
});

describe.each(TOOLCHAINS)("distcc farm with $name", (tc) => {
  it("builds a multi-library manifest with every compile on the daemon, and the libraries work", async () => {
    const proj = join(dir, `proj-${tc.name}`);
    mkdirSync(join(proj, "include"), { recursive: true });
    writeFileSync(join(proj, "include", "scale.h"), "#pragma once\n#include <cstdint>\nconstexpr int64_t SCALE = 10;\n");
    writeFileSync(join(proj, "base.cc"), '#include <cstdint>\n#include "scale.h"\nextern "C" int64_t base_scale(int64_t x) { return x * SCALE; }\n');
    writeFileSync(join(proj, "base2.cc"), '#include <cstdint>\nextern "C" int64_t base_one() { return 1; }\n');
    writeFileSync(join(proj, "ops.cc"), '#include <cstdint>\nextern "C" int64_t base_scale(int64_t);\nextern "C" int64_t base_one();\nint64_t scaled(int64_t x) { return base_scale(x) + base_one(); }\n');
    writeFileSync(join(proj, "plain.c"), "#include <stdint.h>\nint64_t twice(int64_t x) { return 2 * x; }\n");
    writeFileSync(join(proj, "twice.cc"), '#include <cstdint>\nextern "C" int64_t twice(int64_t);\nint64_t quad(int64_t x) { return twice(twice(x)); }\n');
    writeFileSync(
      join(proj, "orcjit.yaml"),
      [
        "version: 1",
        "defaults:",
        "  launcher: distcc",
        `  compiler: ${tc.name}`,
        "  includeDirs: [include]",
        "libraries:",
        "  base:",
        "    sources: [base.cc, base2.cc]",
        "  ops:",
        "    sources: [ops.cc]",
        "    functions: [scaled]",
        "    linkOrder: [base]",
        "  cmix:",
        "    pch: include/scale.h",
        "    sources:",
        "      - plain.c",
        "      - path: twice.cc",
        "        functions: [quad]",
        "",
      ].join("\n"),
    );
    const cacheDir = join(dir, `cache-${tc.name}`);
    const before = compileOks().length;
    const project = await loadProject(join(proj, "orcjit.yaml"), { cacheDir });
    try {
      const stderr: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        stderr.push(String(chunk));
        return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stderr.write;
      let result;
      try {
        result = await withEnv(env, () => project.build());
      } finally {
        process.stderr.write = write;
      }
      const sources = result.libraries.flatMap((l) => l.objects);
      expect(sources).toHaveLength(5);
      expect(sources.every((o) => !o.cacheHit)).toBe(true);
      const oks = compileOks().slice(before);
      expect(oks).toHaveLength(5);
      for (const f of ["base.cc", "base2.cc", "ops.cc", "plain.c", "twice.cc"]) expect(oks.some((l) => l.includes(f))).toBe(true);
      // The pch: header cannot be precompiled for a farm: said once, and included as text.
      expect(stderr.join("").match(/distcc compiles on other machines/g)).toHaveLength(1);
      expect((await cache.list({ cacheDir })).filter((e) => e.language.includes("precompiled"))).toHaveLength(0);
      // Dependencies come from the local preprocessor's depfile.
      const base = result.libraries.find((l) => l.name === "base")!.objects[0]!;
      expect(base.dependencies).toContain(join(proj, "include", "scale.h"));
      await project.load();
      expect(project.library("ops").getFunction("scaled")(4)).toBe(41);
      expect(project.library("cmix").getFunction("quad")(3)).toBe(12);
    } finally {
      project.dispose();
    }
  });
});

/** distcc reads DISTCC_* from the environment of the compile: compileUnits passes process.env by default. */
async function withEnv<T>(vars: NodeJS.ProcessEnv, f: () => Promise<T>): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const k of Object.keys(vars).filter((k) => k.startsWith("DISTCC_"))) {
    saved.set(k, process.env[k]);
    process.env[k] = vars[k];
  }
  try {
    return await f();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

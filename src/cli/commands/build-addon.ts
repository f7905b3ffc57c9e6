// orcjit build-addon: builds the native addon from the sources shipped in the package
// (cmake-js against node-api-headers: offline), for platforms without a prebuilt platform
// package or installs that omitted it. Writes <package>/build/Release/tvm_ffi_orcjit.node,
// step 4 of the addon lookup order (README "Install").
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import * as path from "node:path";
import type { Command } from "commander";
import * as api from "../../index.js";
import { OrcJitError } from "../../index.js";
import { packageRoot } from "../../util/package-root.js";
import type { Streams } from "../output.js";

/** The installed package's root (the directory with CMakeLists.txt). */
export const addonPackageRoot = packageRoot;

interface Requirement {
  what: string;
  /** Debian/Ubuntu package that provides it. */
  debian: string;
  found: boolean;
  /** Not fatal: the build works without it, with a drawback. */
  optional?: string;
}

function onPath(cmd: string, args = ["--version"]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return r.status === 0;
}

function llvmConfigDir(env: NodeJS.ProcessEnv): string | undefined {
  // where CMakeLists.txt looks: $LLVM_PREFIX, then the Debian llvm-22 location
  const dirs = [
    env.LLVM_PREFIX && path.join(env.LLVM_PREFIX, "lib/cmake/llvm"),
    "/usr/lib/llvm-22/lib/cmake/llvm",
  ].filter((d): d is string => !!d);
  return dirs.find((d) => existsSync(path.join(d, "LLVMConfig.cmake")));
}

/** What the source build needs, and whether this machine has it. */
export function addonBuildRequirements(env: NodeJS.ProcessEnv = process.env): Requirement[] {
  const cxx = env.CXX ?? "c++";
  const lib = (name: string) => ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/lib64"].some((d) => existsSync(path.join(d, name)));
  return [
    { what: "cmake (>= 3.20)", debian: "cmake", found: onPath("cmake") },
    { what: `a C++17 compiler (${cxx})`, debian: "g++", found: onPath(cxx) },
    { what: "LLVM 22 development files (LLVMConfig.cmake; or set LLVM_PREFIX)", debian: "llvm-22-dev", found: llvmConfigDir(env) !== undefined },
    { what: "static zlib (libz.a)", debian: "zlib1g-dev", found: lib("libz.a"), optional: "the addon will need libz.so.1 at run time" },
    { what: "static zstd (libzstd.a)", debian: "libzstd-dev", found: lib("libzstd.a"), optional: "the addon will need libzstd.so.1 at run time" },
    { what: "ninja (faster builds)", debian: "ninja-build", found: onPath("ninja"), optional: "cmake uses make" },
  ];
}

function cmakeJsBin(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("cmake-js/package.json")), "bin", "cmake-js");
}

/** Runs cmake-js in the package root; its output goes to `s.err`. Resolves with the exit code. */
function runCmakeJs(args: string[], s: Streams): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cmakeJsBin(), ...args], { cwd: addonPackageRoot, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => s.err.write(b.toString()));
    child.stderr.on("data", (b: Buffer) => s.err.write(b.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** Loads `file` in a child process (a broken build cannot crash this one) and returns its nativeInfo(). */
function probeAddon(file: string): { ok: true; info: Record<string, unknown> } | { ok: false; error: string } {
  const r = spawnSync(process.execPath, ["-e", `process.stdout.write(JSON.stringify(require(${JSON.stringify(file)}).nativeInfo()))`], { encoding: "utf8" });
  if (r.status === 0) return { ok: true, info: JSON.parse(r.stdout) as Record<string, unknown> };
  return { ok: false, error: (r.stderr || `exit ${String(r.status ?? r.signal)}`).trim().split("\n").slice(0, 6).join("\n") };
}

export function registerBuildAddon(program: Command, s: Streams): void {
  program
    .command("build-addon")
    .description("build the native addon from the package's sources (needs cmake, a C++ compiler and LLVM 22)")
    .option("-j, --parallel <n>", "compile jobs", String(availableParallelism()))
    .option("--json", "print a JSON result on stdout")
    .action(async (o: { parallel: string; json?: boolean }) => {
      const reqs = addonBuildRequirements();
      const missing = reqs.filter((r) => !r.found && !r.optional);
      if (missing.length > 0) {
        const pkgs = reqs.filter((r) => !r.found && r.debian !== "ninja-build").map((r) => r.debian);
        throw new OrcJitError(
          "ORCJIT_BUILD_ADDON",
          `cannot build the native addon: missing ${missing.map((r) => r.what).join(", ")}. ` +
            `On Debian/Ubuntu: apt-get install ${pkgs.join(" ")} (llvm-22-dev from apt.llvm.org when your release lacks it).`,
        );
      }
      for (const r of reqs.filter((q) => !q.found && q.optional)) {
        s.err.write(`build-addon: no ${r.what} (apt-get install ${r.debian}): ${r.optional}\n`);
      }
      const out = path.join(addonPackageRoot, "build");
      s.err.write(`build-addon: building ${path.join(out, "Release", "tvm_ffi_orcjit.node")} (LLVM linked statically: a few minutes)\n`);
      const code = await runCmakeJs(["compile", "--out", out, "--target", "tvm_ffi_orcjit", "--parallel", o.parallel], s);
      const file = path.join(out, "Release", "tvm_ffi_orcjit.node");
      if (code !== 0 || !existsSync(file)) {
        throw new OrcJitError("ORCJIT_BUILD_ADDON", `cmake-js failed (exit ${code}) in ${addonPackageRoot}; its output is above`);
      }
      const probe = probeAddon(file);
      if (!probe.ok) throw new OrcJitError("ORCJIT_BUILD_ADDON", `built ${file}, but it does not load:\n${probe.error}`);
      // Which addon the JIT now uses: the lookup order may still prefer ORCJIT_ADDON_PATH or a platform package.
      let used: string;
      try {
        used = api.nativeInfo().addonPath;
      } catch (e) {
        used = `none (${e instanceof Error ? e.message : String(e)})`;
      }
      if (o.json) {
        s.out.write(`${JSON.stringify({ ok: true, addon: file, llvmVersion: probe.info.llvmVersion, loaded: used })}\n`);
        return;
      }
      s.out.write(`built ${file} (LLVM ${String(probe.info.llvmVersion)})\nthe JIT loads ${used}\n`);
    });
}

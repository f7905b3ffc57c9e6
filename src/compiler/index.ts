// The compiler layer: C, C++ and CUDA sources → relocatable objects in the content-addressed
// cache. Never imports the JIT or the addon, so everything here is testable without LLVM.
//
// API (what src/project and the CLI call):
//
//   compileUnits(units: CompileUnit[], options?: CompileOptions): Promise<CompiledObject[]>
//     One result per unit, in order. A cache hit starts no process (not even a version probe:
//     compiler identities are persisted in the cache). Throws
//       CompileError   — the compiler reported errors; `message` starts with the first error as
//                        `file:line:col: error: text`; `.diagnostics`, `.command`, `.log`, `.logPath`
//       ToolchainError — no compiler found / it could not be started
//       CacheError     — the cache directory is not writable
//       options.signal.reason — when cancelled (running compilers are killed, nothing is cached)
//
//   resolveToolchain(language, options, env, probeDir) → Toolchain   which compiler, and its identity
//   buildCompileCommand(toolchain, inputs, paths) → CommandPlan     per-toolchain argv (pure)
//   parseDiagnostics(output) → Diagnostic[]                          gcc/clang/MSVC/nvcc output (pure)
//   parseMakeDepfile(text) / parseShowIncludes(output)               header discovery (pure)
//
// Compiler choice (`options.compiler`): "clang" (clang-22/clang++-22 first), "gcc", "msvc"
// (cl.exe; outside a developer prompt found through vswhere → VsDevCmd/vcvars), "clang-cl",
// or a path/name used for both C and C++. Default: $CC / $CXX, then clang-22, clang, gcc, cc
// (Windows: cl, clang-cl, clang). CUDA: options.nvcc, $NVCC, $CUDA_HOME/bin/nvcc, nvcc.
export { compileUnits } from "./compile.js";
export type { BuildProgress, CompiledObject, CompileOptions, CompileUnit, Language, OptLevel, Toolchain, ToolchainKind } from "./types.js";
export { resolveToolchain, compilerCandidates, detectKind, splitCommandVar, resetToolchainMemo, type CompilerCandidate } from "./toolchain.js";
export { buildCompileCommand, cudaArchFlags, languageOf, flagsReferToCwd, KEY_PLACEHOLDERS, MSVC_SILENCED, type CommandInputs, type CommandPaths, type CommandPlan } from "./flags.js";
export { parseDiagnostics, mapDiagnostics } from "./diagnostics.js";
export { parseMakeDepfile, parseShowIncludes } from "./depfile.js";
export { bundledIncludeDir, bundledHeaderHash, toolkitId, TOOLKIT_ABI_VERSION } from "./bundled.js";
export { resolveLauncher, launcherKind, probeLaunchers, KNOWN_LAUNCHERS, type Launcher, type LauncherKind, type LauncherReport } from "./launcher.js";
export { vswhereCommand, vswherePath, devEnvCommand, parseSetOutput, pickDevEnv, clCandidates, vsArch, type CommandLine, type VsArch } from "./windows.js";

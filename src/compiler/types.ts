// Public types of the compiler layer (re-exported from src/compiler/index.ts).

import type { Language, OptLevel } from "../util/language.js";

export type { Language, OptLevel };
export type ToolchainKind = "clang" | "gcc" | "msvc" | "clang-cl" | "nvcc";

/** One translation unit to compile. */
export interface CompileUnit {
  /** Path of the source file (made absolute against `options.cwd`). */
  source: string;
  /** Inferred from the extension when omitted: .c → c, .cu → cuda, anything else → c++. */
  language?: Language;
  /** Raw compiler flags for this unit only, placed after the toolkit's and before `extraCflags`. */
  flags?: string[];
  includeDirs?: string[];
  defines?: Record<string, string | true>;
  /**
   * A header force-included before the source (`-include`), precompiled once per compiler,
   * flags and header contents and reused by every unit that shares them (clang, gcc; others
   * include it as text). See src/compiler/pch.ts.
   */
  pch?: string;
}

export interface BuildProgress {
  kind: "start" | "cached" | "compiled" | "failed";
  source: string;
  index: number;
  total: number;
  durationMs?: number;
}

export interface CompileOptions {
  /** "clang" (prefers clang-22), "gcc", "msvc", "clang-cl", or a compiler path/name used for C and C++. Default: CC/CXX, then clang-22, clang, gcc, cc. */
  compiler?: "clang" | "gcc" | "msvc" | "clang-cl" | (string & {});
  /** CUDA compiler; default: $NVCC, $CUDA_HOME/bin/nvcc, nvcc on PATH. */
  nvcc?: string;
  /** CUDA architectures, e.g. "80", "8.9 9.0a", "sm_90"; default: $ORCJIT_CUDA_ARCH, else nvcc's default. */
  cudaArch?: string;
  /** Default 2. */
  optLevel?: OptLevel;
  /** -g (MSVC: /Z7). */
  debug?: boolean;
  /** Appended to every C, C++ and CUDA (host) command line. */
  extraCflags?: string[];
  /** Extra CUDA-only flags. */
  extraCudaCflags?: string[];
  extraIncludePaths?: string[];
  /** Cache root; default $ORCJIT_CACHE_DIR, else $XDG_CACHE_HOME/tvm-ffi-orcjit, else ~/.cache/tvm-ffi-orcjit. */
  cacheDir?: string;
  /**
   * Runs each compile as `<launcher> <compiler> <args>`: ccache, sccache, distcc, icecc (known by
   * name) or any prefix command; a string is split like CC ("distcc -j8"). Default
   * $ORCJIT_COMPILER_LAUNCHER; false: none. Not part of the cache key. See src/compiler/launcher.ts.
   */
  launcher?: string | readonly string[] | false;
  /** false: units' `pch` headers are included as text, not precompiled. Default true. */
  pch?: boolean;
  /** Ignore cache hits (still publishes the fresh result). */
  force?: boolean;
  /** Parallel compiler processes; default: number of cores. */
  jobs?: number;
  signal?: AbortSignal;
  /** Print each compiler command line to stderr. */
  verbose?: boolean;
  /** Where compiler logs are kept; default <cacheDir>/v1/logs. */
  buildDirectory?: string;
  /** Base for relative paths (sources, include dirs, flags). Default process.cwd(). */
  cwd?: string;
  /** Environment the compilers see; default process.env. */
  env?: NodeJS.ProcessEnv;
  onProgress?: (e: BuildProgress) => void;
}

export interface CompiledObject {
  /** Absolute source path. */
  source: string;
  /** Path of the object in the cache (content-addressed, read-only). */
  objectPath: string;
  /** Cache key (sha256 hex). */
  key: string;
  cacheHit: boolean;
  /** Absolute header paths from the depfile / showIncludes. */
  dependencies: string[];
  durationMs: number;
  /** Warnings and notes the compiler printed (empty on a cache hit). */
  warnings: import("../types.js").Diagnostic[];
}

/** A compiler found on this machine, with the identity that goes into cache keys. */
export interface Toolchain {
  kind: ToolchainKind;
  /** Program to run. */
  command: string;
  /** Arguments always placed before ours (from CC="ccache gcc -m64" style values). */
  prefixArgs: string[];
  /** Symlinks resolved. */
  resolvedPath: string;
  /** First line of the version banner. */
  version: string;
  /** Target triple (x86_64-pc-linux-gnu, x64, ...). */
  target: string;
  /** Extra environment (MSVC developer environment: INCLUDE, LIB, PATH). */
  env?: Record<string, string>;
}

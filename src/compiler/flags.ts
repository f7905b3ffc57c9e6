// Per-toolchain command lines. Pure functions: every platform's command line is built and
// unit-tested here on any host.
import type { Language, OptLevel, Toolchain } from "./types.js";
import { languageOfExtension } from "../util/language.js";

export interface CommandInputs {
  language: Language;
  /** Absolute include directories, in order (the bundled native/include first). */
  includeDirs: string[];
  defines: Record<string, string | true>;
  /** Flags of the unit, then the call's extra flags (later flags win). */
  unitFlags: string[];
  extraCflags: string[];
  extraCudaCflags: string[];
  optLevel: OptLevel;
  debug: boolean;
  /** nvcc only; e.g. "80", "8.9 9.0a", "sm_90". */
  cudaArch?: string;
  /** Host arch (process.arch); arm64 gcc needs -mno-outline-atomics. */
  arch?: string;
  platform?: NodeJS.Platform;
}

export interface CommandPaths {
  source: string;
  object: string;
  depfile: string;
}

export interface CommandPlan {
  /** Arguments after the program (prefix arguments included). */
  args: string[];
  /** The same with the per-build paths replaced by placeholders: what goes into the cache key. */
  keyArgs: string[];
  /** How the compiler reports headers. */
  deps: "makefile" | "showIncludes";
}

export const KEY_PLACEHOLDERS: CommandPaths = { source: "<source>", object: "<object>", depfile: "<depfile>" };

/** MSVC warnings tvm-ffi silences (C4819 code page, C4251 dll-interface, conversions, ...). */
export const MSVC_SILENCED = ["/wd4819", "/wd4251", "/wd4244", "/wd4267", "/wd4275", "/wd4018", "/wd4190", "/wd4624", "/wd4067", "/wd4068"];

/** "80" | "8.9 9.0a" | "sm_90;sm_80" → nvcc -gencode flags. */
export function cudaArchFlags(spec: string | undefined): string[] {
  if (!spec) return [];
  return spec
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((a) => {
      const m = /^(?:sm_|compute_)?(\d+)(?:\.(\d+))?([a-z]?)$/i.exec(a.trim());
      if (!m) throw new TypeError(`invalid CUDA architecture "${a}" (expected e.g. 80, 8.9, 9.0a, sm_90)`);
      const num = m[2] !== undefined ? `${m[1]}${m[2]}` : m[1]!;
      const v = `${num}${m[3] ?? ""}`;
      return `-gencode=arch=compute_${v},code=sm_${v}`;
    });
}

function defineArgs(defines: Record<string, string | true>, prefix: string): string[] {
  return Object.keys(defines)
    .sort()
    .map((k) => {
      const v = defines[k];
      return v === true ? `${prefix}${k}` : `${prefix}${k}=${v}`;
    });
}

const hasStd = (flags: string[]): boolean => flags.some((f) => /^(-std=|--std=|-std |\/std:)/.test(f) || f === "-std" || f === "--std");

/** Builds the compile command for one unit. */
export function buildCompileCommand(tc: Pick<Toolchain, "kind" | "prefixArgs">, input: CommandInputs, paths: CommandPaths): CommandPlan {
  const make = (p: CommandPaths): string[] => [...tc.prefixArgs, ...argsFor(tc.kind, input, p)];
  return { args: make(paths), keyArgs: make(KEY_PLACEHOLDERS), deps: tc.kind === "msvc" || tc.kind === "clang-cl" ? "showIncludes" : "makefile" };
}

function argsFor(kind: Toolchain["kind"], i: CommandInputs, p: CommandPaths): string[] {
  const user = [...i.unitFlags, ...i.extraCflags];
  const platform = i.platform ?? process.platform;
  if (kind === "msvc" || kind === "clang-cl") {
    const cxx = i.language !== "c";
    const opt = i.optLevel === 0 ? "/Od" : i.optLevel === 1 || i.optLevel === "s" ? "/O1" : "/O2";
    return [
      "/nologo",
      "/c",
      "/GS-",
      "/MD",
      ...(cxx ? ["/EHsc", ...(hasStd(user) ? [] : ["/std:c++17"])] : []),
      opt,
      ...(i.debug ? ["/Z7"] : []),
      ...MSVC_SILENCED,
      "/showIncludes",
      ...i.includeDirs.map((d) => `/I${d}`),
      ...defineArgs(i.defines, "/D"),
      ...user,
      `/Fo${p.object}`,
      cxx ? `/Tp${p.source}` : `/Tc${p.source}`,
    ];
  }
  if (kind === "nvcc") {
    const host = platform === "win32" ? ["-Xcompiler", "/MD,/GS-,/EHsc"] : ["-Xcompiler", "-fPIC"];
    const cuda = [...i.unitFlags, ...i.extraCudaCflags];
    return [
      "-c",
      ...host,
      ...(hasStd(cuda) ? [] : ["-std=c++17"]),
      `-O${i.optLevel === "s" ? 2 : i.optLevel}`,
      ...(i.debug ? ["-g"] : []),
      ...cudaArchFlags(i.cudaArch),
      ...i.includeDirs.map((d) => `-I${d}`),
      ...defineArgs(i.defines, "-D"),
      ...cuda,
      "-MMD",
      "-MF",
      p.depfile,
      "-x",
      "cu",
      "-o",
      p.object,
      p.source,
    ];
  }
  // gcc and clang
  const cxx = i.language === "c++";
  return [
    "-c",
    "-fPIC",
    ...(cxx && !hasStd(user) ? ["-std=c++17"] : []),
    `-O${i.optLevel}`,
    ...(i.debug ? ["-g"] : []),
    "-fdiagnostics-color=never",
    ...(kind === "gcc" && i.arch === "arm64" && platform === "linux" ? ["-mno-outline-atomics"] : []),
    ...i.includeDirs.map((d) => `-I${d}`),
    ...defineArgs(i.defines, "-D"),
    ...user,
    "-MMD",
    "-MF",
    p.depfile,
    "-o",
    p.object,
    "-x",
    cxx ? "c++" : "c",
    p.source,
  ];
}

/** Language from a file name (util/language.ts: .c → c, .C/.cc/.cpp… → c++, .cu → cuda); anything else → c++. */
export function languageOf(path: string): Language {
  return languageOfExtension(path) ?? "c++";
}

/** True when a raw flag list names a relative path, so the key must include the working directory. */
export function flagsReferToCwd(flags: string[]): boolean {
  const pathFlags = /^(-I|-isystem|-iquote|-idirafter|-include|-imacros|-L|--include-directory=|\/I|\/FI|@)(.*)$/;
  for (let k = 0; k < flags.length; k++) {
    const m = pathFlags.exec(flags[k]!);
    if (!m) continue;
    const value = m[2] || flags[k + 1] || "";
    if (!/^([A-Za-z]:[\\/]|[\\/])/.test(value)) return true;
  }
  return false;
}

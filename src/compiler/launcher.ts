// Compiler launchers: compile caches (ccache, sccache) and compile farms (distcc, icecc) run
// as `<launcher> <compiler> <args>` — CMake's CMAKE_<LANG>_COMPILER_LAUNCHER convention. Any
// other command works as a plain prefix. What we keep in our own hands:
//
//   - the object cache key does not include the launcher: the same compiler identity, flags
//     and inputs give the same object, however it was produced;
//   - dependencies: a caching launcher may hand back the depfile of an earlier build (ccache
//     once returned another directory's, sccache can overwrite a fresh one with a stale one),
//     and a wrong dependency list means a stale hit later. With ccache, sccache and unknown
//     launchers the compile runs without -MMD and the dependency list comes from our own
//     `-MM` scan, run directly with the compiler (a preprocessor pass, concurrent with the
//     compile). distcc and icecc preprocess locally, so their depfile is the local compiler's;
//   - precompiled headers: a farm compiles elsewhere and cannot read a local PCH, and sccache
//     cannot cache a compile that uses one: with those the header is included as text (said
//     once per process). ccache caches clang's PCH compiles given `pch_defines,time_macros`
//     sloppiness, which we add to its environment (the PCH is built with -fno-pch-timestamp, so
//     a rebuilt PCH has the same bytes); gcc's .gch is not reproducible, so with ccache + gcc
//     the header is included as text too.
import { basename } from "node:path";
import { findExecutableSync } from "../util/fs.js";
import { runProcess } from "../util/process.js";
import { splitCommandVar } from "./toolchain.js";
import type { ToolchainKind } from "./types.js";

export type LauncherKind = "ccache" | "sccache" | "distcc" | "icecc" | "other";

export interface Launcher {
  /** Program to run (as given: a name on PATH or a path). */
  command: string;
  /** Its own arguments, placed before the compiler. */
  args: string[];
  kind: LauncherKind;
}

/** The launcher names this toolkit knows, with the package that provides each (for `orcjit doctor`). */
export const KNOWN_LAUNCHERS: ReadonlyArray<{ kind: Exclude<LauncherKind, "other">; command: string; what: string }> = [
  { kind: "ccache", command: "ccache", what: "compiler cache" },
  { kind: "sccache", command: "sccache", what: "compiler cache (local or shared storage)" },
  { kind: "distcc", command: "distcc", what: "compile farm (DISTCC_HOSTS)" },
  { kind: "icecc", command: "icecc", what: "compile farm (icecream scheduler)" },
];

/** Recognises a launcher by its program name (`/usr/bin/ccache`, `sccache.exe`, `icecc`, ...). */
export function launcherKind(command: string): LauncherKind {
  const name = basename(command.replace(/\\/g, "/")).toLowerCase().replace(/\.exe$/, "");
  if (name === "ccache" || name === "sccache" || name === "distcc" || name === "icecc") return name;
  if (name === "icerun") return "icecc";
  return "other";
}

/**
 * The launcher to use: `option` (a command line like "ccache" or "distcc -j8", or an argv
 * array; "" or false = none), else $ORCJIT_COMPILER_LAUNCHER.
 */
export function resolveLauncher(option: string | readonly string[] | false | undefined, env: NodeJS.ProcessEnv): Launcher | undefined {
  if (option === false) return undefined;
  let argv: string[];
  if (Array.isArray(option)) argv = [...(option as readonly string[])];
  else {
    const text = typeof option === "string" ? option : env.ORCJIT_COMPILER_LAUNCHER;
    if (!text || !text.trim()) return undefined;
    const s = splitCommandVar(text.trim());
    argv = [s.command, ...s.prefixArgs];
  }
  if (argv.length === 0 || !argv[0]) return undefined;
  if (argv.some((a) => typeof a !== "string")) throw new TypeError("launcher: expected a command line string or an array of strings");
  return { command: argv[0], args: argv.slice(1), kind: launcherKind(argv[0]) };
}

/** The program and argv of a compile run through `launcher` (or directly). */
export function launch(launcher: Launcher | undefined, compiler: string, args: readonly string[]): { file: string; args: string[] } {
  return launcher ? { file: launcher.command, args: [...launcher.args, compiler, ...args] } : { file: compiler, args: [...args] };
}

/** True when a launcher compiles on other machines (a local PCH is of no use there). */
export function compilesRemotely(l: Launcher | undefined): boolean {
  return l?.kind === "distcc" || l?.kind === "icecc";
}

/** True when we do not take the launcher's depfile but scan the dependencies ourselves. */
export function scansOwnDeps(l: Launcher | undefined, kind: ToolchainKind): boolean {
  return !!l && (kind === "clang" || kind === "gcc") && l.kind !== "distcc" && l.kind !== "icecc";
}

/** Whether a PCH can be used with this launcher; the reason when not (reported once). */
export function pchWithLauncher(l: Launcher | undefined, kind: ToolchainKind): { ok: true } | { ok: false; why: string } {
  if (compilesRemotely(l)) return { ok: false, why: `${l!.kind} compiles on other machines, which cannot read a local precompiled header` };
  if (l?.kind === "sccache") return { ok: false, why: "sccache cannot cache a compile that uses a precompiled header" };
  // gcc's .gch differs from build to build: ccache would miss whenever the PCH was rebuilt.
  if (l?.kind === "ccache" && kind === "gcc") return { ok: false, why: "gcc's precompiled headers are not reproducible, so ccache could not reuse compiles that use them" };
  return { ok: true };
}

const said = new Set<string>();
/** Prints a note to stderr once per process per text. */
export function noteOnce(text: string): void {
  if (said.has(text)) return;
  said.add(text);
  process.stderr.write(`[orcjit] note: ${text}\n`);
}

/** Environment additions for a launcher (ccache: sloppiness that lets it cache PCH compiles). */
export function launcherEnv(l: Launcher | undefined, env: NodeJS.ProcessEnv, usesPch: boolean): Record<string, string> {
  if (l?.kind !== "ccache" || !usesPch) return {};
  const have = (env.CCACHE_SLOPPINESS ?? "").split(/[\s,]+/).filter(Boolean);
  const want = [...new Set([...have, "pch_defines", "time_macros", "include_file_mtime", "include_file_ctime"])];
  return { CCACHE_SLOPPINESS: want.join(",") };
}

/**
 * The compile's argv turned into a dependency scan: no object, `-MM -MF <depfile>` (headers
 * outside system directories, like -MMD). `args` are gcc/clang arguments from flags.ts.
 */
export function depScanArgs(args: readonly string[], paths: { object: string; depfile: string }): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-c" || a === "-MMD") continue;
    if ((a === "-MF" && args[i + 1] === paths.depfile) || (a === "-o" && args[i + 1] === paths.object)) {
      i++;
      continue;
    }
    out.push(a);
  }
  const x = out.lastIndexOf("-x");
  out.splice(x >= 0 ? x : out.length - 1, 0, "-MM", "-MF", paths.depfile);
  return out;
}

/** The compile's argv without the depfile flags (the launcher is not asked for one). */
export function withoutDepfile(args: readonly string[], depfile: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-MMD") continue;
    if (args[i] === "-MF" && args[i + 1] === depfile) {
      i++;
      continue;
    }
    out.push(args[i]!);
  }
  return out;
}

export interface LauncherReport {
  kind: string;
  what: string;
  /** Absolute path when found on PATH. */
  path?: string;
  version?: string;
  /** What the launcher needs that is missing or worth knowing (DISTCC_HOSTS, ...). */
  note?: string;
}

/** Which known launchers this machine has (for `orcjit doctor`), and the configured one. */
export async function probeLaunchers(env: NodeJS.ProcessEnv = process.env): Promise<{ configured?: string; problem?: string; launchers: LauncherReport[] }> {
  const launchers = await Promise.all(
    KNOWN_LAUNCHERS.map(async (l): Promise<LauncherReport> => {
      const path = findExecutableSync(l.command, env);
      if (!path) return { kind: l.kind, what: l.what };
      const r = await runProcess(path, ["--version"], { timeout: 10_000 }).result;
      const version = r.output.split(/\r?\n/).map((s) => s.trim()).find(Boolean) ?? "";
      let note: string | undefined;
      if (l.kind === "distcc") note = env.DISTCC_HOSTS ? `DISTCC_HOSTS=${env.DISTCC_HOSTS}` : "DISTCC_HOSTS is not set (distcc reads ~/.distcc/hosts or /etc/distcc/hosts)";
      if (l.kind === "ccache" && env.CCACHE_DIR) note = `CCACHE_DIR=${env.CCACHE_DIR}`;
      if (l.kind === "sccache" && env.SCCACHE_DIR) note = `SCCACHE_DIR=${env.SCCACHE_DIR}`;
      return { kind: l.kind, what: l.what, path, version, ...(note ? { note } : {}) };
    }),
  );
  const configured = resolveLauncher(undefined, env);
  const problem = configured && !findExecutableSync(configured.command, env) ? `ORCJIT_COMPILER_LAUNCHER names ${configured.command}, which is not on PATH: every compile would fail` : undefined;
  return { ...(env.ORCJIT_COMPILER_LAUNCHER ? { configured: env.ORCJIT_COMPILER_LAUNCHER } : {}), ...(problem ? { problem } : {}), launchers };
}

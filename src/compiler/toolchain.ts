// Toolchain detection: which compiler to run for a language, and its identity (kind, version,
// target) for cache keys. The identity is probed once per machine — persisted in the cache
// directory and in the default cache (shared by every cache directory), validated by the
// binary's stat — so a warm start spawns no compiler at all, and a cold one only the compile.
import { mkdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { ToolchainError } from "../errors.js";
import { resolveCacheDir, storeDir } from "../cache/paths.js";
import { atomicWriteFileSync, findExecutableSync, readPrivateFileSync } from "../util/fs.js";
import { runProcess } from "../util/process.js";
import { sha256 } from "../util/hash.js";
import type { CompileOptions, Language, Toolchain, ToolchainKind } from "./types.js";
import { clCandidates, devEnvCommand, parseSetOutput, pickDevEnv, vsArch, vswhereCommand } from "./windows.js";

export interface CompilerCandidate {
  command: string;
  prefixArgs: string[];
  /** When known from the request ("gcc", "msvc", ...); otherwise detected from --version. */
  kind?: ToolchainKind;
  /** Came from CC/CXX/NVCC or an explicit option: failure to find it is an error, not a fallthrough. */
  explicit?: boolean;
}

/** Splits a CC/CXX value ("ccache gcc -m64") into program and prefix arguments. */
export function splitCommandVar(value: string): { command: string; prefixArgs: string[] } {
  const parts = value.match(/"[^"]*"|'[^']*'|\S+/g)?.map((p) => p.replace(/^["']|["']$/g, "")) ?? [];
  return { command: parts[0] ?? "", prefixArgs: parts.slice(1) };
}

/** The ordered list of compilers to try for a language (pure: testable as data for any platform). */
export function compilerCandidates(language: Language, compiler: CompileOptions["compiler"], env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, nvcc?: string): CompilerCandidate[] {
  if (language === "cuda") {
    if (nvcc) return [{ command: nvcc, prefixArgs: [], kind: "nvcc", explicit: true }];
    if (env.NVCC) return [{ ...splitCommandVar(env.NVCC), kind: "nvcc", explicit: true }];
    const list: CompilerCandidate[] = [];
    for (const home of [env.CUDA_HOME, env.CUDA_PATH]) if (home) list.push({ command: join(home, "bin", platform === "win32" ? "nvcc.exe" : "nvcc"), prefixArgs: [], kind: "nvcc" });
    list.push({ command: "nvcc", prefixArgs: [], kind: "nvcc" });
    return list;
  }
  const cxx = language === "c++";
  const win = platform === "win32";
  switch (compiler) {
    case "clang":
      return win
        ? [{ command: cxx ? "clang++" : "clang", prefixArgs: [], kind: "clang", explicit: true }]
        : [
            { command: cxx ? "clang++-22" : "clang-22", prefixArgs: [], kind: "clang" },
            { command: cxx ? "clang++" : "clang", prefixArgs: [], kind: "clang", explicit: true },
          ];
    case "gcc":
      return [{ command: cxx ? "g++" : "gcc", prefixArgs: [], kind: "gcc", explicit: true }];
    case "msvc":
      return [{ command: "cl", prefixArgs: [], kind: "msvc", explicit: true }];
    case "clang-cl":
      return [{ command: "clang-cl", prefixArgs: [], kind: "clang-cl", explicit: true }];
    case undefined:
    case "":
      break;
    default:
      return [{ command: compiler, prefixArgs: [], explicit: true }];
  }
  const fromEnv = cxx ? env.CXX : env.CC;
  if (fromEnv) return [{ ...splitCommandVar(fromEnv), explicit: true }];
  if (win)
    return [
      { command: "cl", prefixArgs: [], kind: "msvc" },
      { command: "clang-cl", prefixArgs: [], kind: "clang-cl" },
      { command: cxx ? "clang++" : "clang", prefixArgs: [], kind: "clang" },
    ];
  return cxx
    ? ["clang++-22", "clang++", "g++", "c++"].map((command) => ({ command, prefixArgs: [] }))
    : ["clang-22", "clang", "gcc", "cc"].map((command) => ({ command, prefixArgs: [] }));
}

/** Recognises a compiler from its version banner (and name, for clang-cl). */
export function detectKind(banner: string, path: string): ToolchainKind | undefined {
  const base = path.replace(/\\/g, "/").split("/").pop()?.toLowerCase() ?? "";
  if (/Cuda compiler driver|nvcc/i.test(banner)) return "nvcc";
  if (/clang version|LLVM version/i.test(banner)) return base.startsWith("clang-cl") || /--driver-mode=cl/.test(banner) ? "clang-cl" : "clang";
  if (/Microsoft \(R\) C\/C\+\+/i.test(banner)) return "msvc";
  if (/Free Software Foundation|\bgcc\b|\bg\+\+\b|GCC/.test(banner)) return "gcc";
  return undefined;
}

interface ProbeRecord {
  format: 1;
  resolvedPath: string;
  prefixArgs: string[];
  stat: { size: number; mtimeMs: number; ino: number; ctimeMs?: number };
  kind: ToolchainKind;
  version: string;
  target: string;
}

const memo = new Map<string, Promise<Toolchain>>();
let msvcEnv: Promise<Record<string, string> | undefined> | undefined;

/** Test hook: forget in-process probe results (the persisted ones stay). */
export function resetToolchainMemo(): void {
  memo.clear();
}

/**
 * Picks and identifies the compiler for `language`. `probeDir` (inside the cache) persists the
 * identity so later processes skip the probe.
 */
export async function resolveToolchain(language: Language, options: CompileOptions, env: NodeJS.ProcessEnv, probeDir: string): Promise<Toolchain> {
  const candidates = compilerCandidates(language, options.compiler, env, process.platform, options.nvcc);
  const tried: string[] = [];
  for (const c of candidates) {
    let devEnv: Record<string, string> | undefined;
    let found = findExecutableSync(c.command, env);
    if (!found && c.kind === "msvc" && process.platform === "win32") {
      devEnv = await loadMsvcEnv(env);
      if (devEnv) for (const p of clCandidates(devEnv)) if ((found = findExecutableSync(p, env))) break;
    }
    tried.push(c.command);
    if (!found) {
      if (c.explicit) break;
      continue;
    }
    const key = `${found}\u0000${c.prefixArgs.join("\u0000")}`;
    let p = memo.get(key);
    if (!p) {
      p = identify(found, c, probeDir, env, devEnv);
      memo.set(key, p);
      p.catch(() => memo.delete(key));
    }
    return p;
  }
  const what = language === "cuda" ? "CUDA compiler (nvcc)" : `${language === "c" ? "C" : "C++"} compiler`;
  const hint = language === "cuda" ? "install the CUDA toolkit or set NVCC / CUDA_HOME" : "install clang or gcc, or set CC/CXX or the `compiler` option";
  throw new ToolchainError(`no ${what} found (tried: ${tried.join(", ")}); ${hint}`);
}

/** Starts resolveToolchain in the background (its result is memoized); errors surface when it is awaited. */
export function prefetchToolchain(language: Language, options: CompileOptions, env: NodeJS.ProcessEnv, probeDir: string): void {
  resolveToolchain(language, options, env, probeDir).catch(() => undefined);
}

/**
 * Where compiler identities are shared between cache directories: the default cache's
 * toolchains/ (a compiler's identity is a property of the machine, not of one object cache).
 * So a cold start with a fresh cacheDir (a new project, a test, CI with a scratch cache) does
 * not pay the probe again. Only used when that root is ours (POSIX: owned by this user).
 */
function sharedProbeDir(env: NodeJS.ProcessEnv): string | undefined {
  const root = resolveCacheDir(undefined, { ...env, ORCJIT_CACHE_DIR: undefined });
  try {
    const st = statSync(root, { throwIfNoEntry: false });
    if (st && (!st.isDirectory() || (typeof process.getuid === "function" && st.uid !== process.getuid()))) return undefined;
  } catch {
    return undefined;
  }
  return join(storeDir(root), "toolchains");
}

async function identify(found: string, c: CompilerCandidate, probeDir: string, env: NodeJS.ProcessEnv, devEnv?: Record<string, string>): Promise<Toolchain> {
  // Synchronous: on a warm start these are the only fs calls here, and each async one is a
  // thread-pool round trip.
  // realpath(3) directly (one call) rather than Node's per-component JS walk; Windows keeps the
  // JS version, whose results for subst/network drives are the ones keys were built with.
  const resolvedPath = process.platform === "win32" ? realpathSync(found) : realpathSync.native(found);
  const st = statSync(resolvedPath);
  const statId = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, ctimeMs: st.ctimeMs };
  const recordName = `${sha256(`${resolvedPath}\u0000${c.prefixArgs.join("\u0000")}`).slice(0, 32)}.json`;
  const make = (r: Pick<ProbeRecord, "kind" | "version" | "target">): Toolchain => ({
    kind: r.kind,
    command: found,
    prefixArgs: c.prefixArgs,
    resolvedPath,
    version: r.version,
    target: r.target,
    ...(devEnv ? { env: devEnv } : {}),
  });
  const read = (dir: string): ProbeRecord | undefined => {
    try {
      const rec = JSON.parse(readPrivateFileSync(join(dir, recordName)).toString("utf8")) as ProbeRecord;
      if (
        rec.format === 1 &&
        rec.resolvedPath === resolvedPath &&
        rec.stat.size === statId.size &&
        rec.stat.mtimeMs === statId.mtimeMs &&
        rec.stat.ino === statId.ino &&
        rec.stat.ctimeMs === statId.ctimeMs &&
        JSON.stringify(rec.prefixArgs) === JSON.stringify(c.prefixArgs) &&
        (!c.kind || c.kind === rec.kind)
      )
        return rec;
    } catch {
      // no record or unreadable
    }
    return undefined;
  };
  const write = (dir: string, rec: ProbeRecord): void => {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      atomicWriteFileSync(join(dir, recordName), JSON.stringify(rec));
    } catch {
      // a read-only cache only costs a probe per process
    }
  };
  const local = read(probeDir);
  if (local) return make(local);
  const sharedDir = sharedProbeDir(env);
  const shared = sharedDir && sharedDir !== probeDir ? read(sharedDir) : undefined;
  if (shared) {
    write(probeDir, shared);
    return make(shared);
  }
  const probed = await probe(found, c, devEnv);
  const rec: ProbeRecord = { format: 1, resolvedPath, prefixArgs: c.prefixArgs, stat: statId, ...probed };
  write(probeDir, rec);
  if (sharedDir && sharedDir !== probeDir) write(sharedDir, rec);
  return make(rec);
}

async function probe(path: string, c: CompilerCandidate, devEnv?: Record<string, string>): Promise<Pick<ProbeRecord, "kind" | "version" | "target">> {
  const run = async (args: string[]): Promise<string> => {
    const r = await runProcess(path, [...c.prefixArgs, ...args], { ...(devEnv ? { env: { ...process.env, ...devEnv } } : {}), timeout: 60_000 }).result;
    if (r.error) throw new ToolchainError(`cannot run compiler ${path}: ${r.error.message}`, { cause: r.error });
    return r.output;
  };
  const isCl = c.kind === "msvc" || /(^|[\\/])cl(\.exe)?$/i.test(path);
  // The probes run in parallel, not one after another: each is a compiler start-up (tens of ms
  // on a loaded machine) and a cold loadInline waits for them. clang prints its target in the
  // --version banner ("Target: ..."), so it needs no second process; gcc needs -dumpmachine and
  // -dumpfullversion, started together with --version when the kind is known in advance.
  const gccExtras = (): [Promise<string>, Promise<string>] => [run(["-dumpmachine"]), run(["-dumpfullversion"])];
  const early = c.kind === "gcc" && !isCl ? gccExtras() : undefined;
  early?.forEach((p) => p.catch(() => undefined));
  const banner = isCl ? await run([]) : await run(["--version"]);
  const kind = c.kind ?? detectKind(banner, path);
  if (!kind) throw new ToolchainError(`cannot identify the compiler ${path} from its --version output:\n${banner.slice(0, 500)}`);
  const lines = banner.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  let version = (kind === "nvcc" ? lines.filter((l) => /release|Build/.test(l)).join(" ") : lines.find((l) => /version|\(GCC\)|gcc|Compiler/i.test(l))) || lines[0] || "unknown";
  let target = "";
  if (kind === "gcc") {
    const [machine, full] = early ?? gccExtras();
    target = (await machine).trim().split(/\r?\n/)[0] ?? "";
    version = `${version} (${(await full).trim()})`;
  } else if (kind === "clang") {
    target = /^Target:\s*(\S+)/m.exec(banner)?.[1] ?? "";
    if (!target) target = (await run(["-dumpmachine"])).trim().split(/\r?\n/)[0] ?? "";
  } else if (kind === "clang-cl") {
    target = /Target:\s*(\S+)/.exec(banner)?.[1] ?? "";
  } else if (kind === "msvc") {
    target = /for (x64|x86|ARM64|ARM)/i.exec(banner)?.[1] ?? "";
  } else {
    target = process.arch;
  }
  return { kind, version, target: target || `${process.platform}-${process.arch}` };
}

async function loadMsvcEnv(env: NodeJS.ProcessEnv): Promise<Record<string, string> | undefined> {
  msvcEnv ??= (async () => {
    const vswhere = vswhereCommand(env);
    const r = await runProcess(vswhere.file, vswhere.args).result;
    const installPath = r.stdout.trim().split(/\r?\n/)[0];
    if (!installPath) return undefined;
    for (const script of ["vsdevcmd", "vcvars"] as const) {
      const cmd = devEnvCommand(installPath, vsArch(), script, env.ComSpec ?? "cmd.exe");
      const out = await runProcess(cmd.file, cmd.args, { ...(cmd.verbatim ? { windowsVerbatimArguments: true } : {}) }).result;
      if (out.exitCode === 0) {
        const dev = pickDevEnv(parseSetOutput(out.stdout));
        if (dev.INCLUDE) return dev;
      }
    }
    return undefined;
  })();
  return msvcEnv;
}

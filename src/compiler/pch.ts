// Precompiled headers. A unit with `pch: <header>` means "force-include <header>" (that is what
// its cache key records: `-include <header>`), and the header is precompiled once per compiler
// identity, flags and header contents, so the compile skips parsing it. The PCH is stored in the
// object cache like an object — same two-step key (base key, then the contents of every header
// the PCH build reported), same atomic publication and verification on read — and used by
// every compile with the same compiler and flags. When no PCH can be used (MSVC, nvcc, a remote
// launcher, a PCH build that failed) the unit compiles with the plain `-include`: same meaning,
// same object, same key.
//
//   clang: built with `-x c++-header H -o <pch>`, used with `-include-pch <blob>`. The PCH
//          records its inputs; `-fpch-validate-input-files-content` makes clang compare a
//          touched-but-unchanged header by content instead of refusing the PCH.
//   gcc:   built the same way into a .gch; used with `-include <dir>/pch.h`, where pch.h is
//          `#include "H"` and pch.h.gch a symbolic link to the blob (gcc looks for <name>.gch next to an
//          -include'd file and falls back to the text when the .gch does not fit).
//
// When a PCH is missing and only one unit of the compileUnits call uses it (loadInline's
// prelude), that unit does not wait for it: it compiles with the header as text — the first
// result comes as fast as without a PCH — while the PCH is built next to it by a detached
// `node pch-worker.js` that publishes into the cache through the same ObjectCache.publish
// (atomic) and exits; it outlives this process if need be, so even a process that exits right
// after its first result leaves the PCH for the next one. Compiles that start after it was
// published use it. (Without the worker file, i.e. running from src/ under vitest, the unit
// waits for an in-process build, as units sharing a PCH always do.)
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ObjectCache, DependencyHash } from "../cache/store.js";
import { hashAndStamp } from "../util/stamp.js";
import { sha256 } from "../util/hash.js";
import { runProcess } from "../util/process.js";
import { uniqueName } from "../util/fs.js";
import { parseMakeDepfile } from "./depfile.js";
import { buildCompileCommand, KEY_PLACEHOLDERS, type CommandInputs } from "./flags.js";
import type { Toolchain, ToolchainKind } from "./types.js";

/** A usable precompiled header for one compiler + flags + header contents. */
export interface Pch {
  /** The blob in the cache (verified when it was looked up or built). */
  path: string;
  /** Every header the PCH was built from: they are dependencies of each object that uses it. */
  deps: string[];
  /** Their contents' hashes when it was built: a memoized PCH is reused only while they match. */
  hashes: DependencyHash[];
  /** The files the compile reads (the blob; gcc: the wrapper and its .gch too). */
  files: string[];
  /** Replaces the `-include <header>` pair of a compile command. */
  useArgs: string[];
}

export interface PchContext {
  cache: ObjectCache;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal?: AbortSignal;
  verbose?: boolean;
  hashFile: (p: string) => string | undefined;
  /** The object base key function of compile.ts (same fields; the `-x c++-header` args keep the spaces apart). */
  baseKey: (keyArgs: string[], source: string, text: Buffer) => string;
}

/** Compilers whose PCH this file knows how to build and use. */
export function pchSupported(kind: ToolchainKind): boolean {
  return kind === "clang" || kind === "gcc";
}

/** The force-include flags of `header` for a compiler: what a unit with a `pch` header means (and its key). */
export function forceIncludeArgs(kind: ToolchainKind, header: string): string[] {
  return kind === "msvc" || kind === "clang-cl" ? [`/FI${header}`] : ["-include", header];
}

/** `args` with the force-include of `header` replaced by the PCH's flags. */
export function withPch(args: readonly string[], header: string, pch: Pch): string[] {
  const i = args.findIndex((a, k) => a === "-include" && args[k + 1] === header);
  return i < 0 ? [...args] : [...args.slice(0, i), ...pch.useArgs, ...args.slice(i + 2)];
}

/** Paths of a depfile that are the PCH machinery itself (not headers a user can edit). */
export function isPchArtifact(cache: ObjectCache, path: string): boolean {
  return path.startsWith(join(cache.dir, "pch") + "/") || path.startsWith(cache.blobsDir + "/");
}

const memo = new Map<string, Promise<Pch | undefined>>();
const liveBuilds = new Set<() => void>();
let exitHook = false;

/**
 * The PCH of `header` for this compiler and these flags (`inputs` without the force-include):
 * from the cache, or built now. Once per process per base key. Undefined when it cannot be
 * built (the header has an error: the object compile will report it at the user's line).
 */
export async function ensurePch(p: PchContext, tc: Toolchain, inputs: CommandInputs, header: string, background = false): Promise<Pch | undefined> {
  for (let attempt = 0; ; attempt++) {
    const pch = await ensurePchOnce(p, tc, inputs, header, background);
    // A PCH memoized earlier in this process is stale once one of its headers changed, or its
    // files were removed from the cache (cache.clear(), prune).
    if (!pch || attempt > 0 || (pch.files.every((f) => existsSync(f)) && pch.hashes.every((d) => p.hashFile(d.path) === d.sha256))) return pch;
    forget(p, tc, inputs, header);
  }
}

function memoKeyOf(p: PchContext, tc: Toolchain, inputs: CommandInputs, header: string, text: Buffer): string {
  return `${p.cache.dir}\u0000${p.baseKey(headerCommand(tc, inputs, KEY_PLACEHOLDERS), header, text)}`;
}

function forget(p: PchContext, tc: Toolchain, inputs: CommandInputs, header: string): void {
  try {
    memo.delete(memoKeyOf(p, tc, inputs, header, readFileSync(header)));
  } catch {
    // unreadable now: nothing memoized under its new text anyway
  }
}

/** Memo keys whose PCH is being built in the background (not awaited by `background` callers). */
const pending = new Set<string>();

/**
 * `background`: a missing PCH is built by a detached worker (when there is one) and this call
 * returns undefined at once (compile the header as text); so does a build still in progress.
 */
function ensurePchOnce(p: PchContext, tc: Toolchain, inputs: CommandInputs, header: string, background: boolean): Promise<Pch | undefined> {
  const keyArgs = headerCommand(tc, inputs, KEY_PLACEHOLDERS);
  let text: Buffer;
  try {
    text = readFileSync(header);
  } catch {
    return Promise.resolve(undefined); // the compile reports the missing header
  }
  const baseKey = p.baseKey(keyArgs, header, text);
  const memoKey = `${p.cache.dir}\u0000${baseKey}`;
  let r = memo.get(memoKey);
  if (!r) {
    const hit = p.cache.lookupSync(baseKey, p.hashFile);
    const worker = background && !hit ? workerFile() : undefined;
    r = hit ? Promise.resolve(usable(p, tc, header, hit.key, hit.objectPath, hit.deps)) : worker ? buildInWorker(p, tc, inputs, header, baseKey, text, worker) : build(p, tc, inputs, header, baseKey, text);
    memo.set(memoKey, r);
    if (worker) pending.add(memoKey);
    // Forget it when it could not be used: a later compile (after a fix) tries again.
    const settle = (): void => void pending.delete(memoKey);
    r.then((v) => (settle(), v ?? memo.delete(memoKey)), () => (settle(), memo.delete(memoKey)));
  }
  return background && pending.has(memoKey) ? Promise.resolve(undefined) : r;
}

/** The unit's compile command turned into a header-precompiling one (same flags). */
function headerCommand(tc: Toolchain, inputs: CommandInputs, paths: { source: string; object: string; depfile: string }): string[] {
  const args = buildCompileCommand(tc, inputs, paths).args;
  const x = args.lastIndexOf("-x");
  if (x >= 0) args[x + 1] = `${args[x + 1]}-header`;
  // clang: no timestamps in the PCH (it is keyed by content; identical inputs give identical bytes).
  if (tc.kind === "clang") args.splice(x >= 0 ? x : args.length, 0, "-Xclang", "-fno-pch-timestamp");
  return args;
}

async function build(p: PchContext, tc: Toolchain, inputs: CommandInputs, header: string, baseKey: string, text: Buffer): Promise<Pch | undefined> {
  p.signal?.throwIfAborted();
  const job: PchJob = { cacheRoot: p.cache.root, cwd: p.cwd, tc, inputs, header, baseKey, headerSha256: sha256(text) };
  const published = await buildAndPublish(p.cache, job, pchEnv(p.env, tc), { ...(p.signal ? { signal: p.signal } : {}), ...(p.verbose ? { verbose: true } : {}) });
  return published && usable(p, tc, header, published.key, published.objectPath, published.deps);
}

/** What a PCH build needs, as JSON: the job a detached worker (pch-worker.ts) is given. */
export interface PchJob {
  cacheRoot: string;
  cwd: string;
  tc: Toolchain;
  inputs: CommandInputs;
  header: string;
  baseKey: string;
  /** The header's text when the key was made: a header edited since is built but not recorded. */
  headerSha256: string;
}

/** The compiler's environment for a PCH build. */
function pchEnv(env: NodeJS.ProcessEnv, tc: Toolchain): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = { ...env, ...(tc.env ?? {}), LC_MESSAGES: "C" };
  delete childEnv.LC_ALL;
  return childEnv;
}

/** A worker gives up on a compiler that runs longer than this (it must never hang around). */
export const PCH_WORKER_TIMEOUT_MS = 10 * 60_000;

/**
 * Builds the PCH of `job` into a private temp directory and publishes it (ObjectCache.publish:
 * atomic); undefined when the compiler failed. In this process or in a worker.
 */
export async function buildAndPublish(
  cache: ObjectCache,
  job: PchJob,
  env: NodeJS.ProcessEnv,
  o: { signal?: AbortSignal; verbose?: boolean; timeout?: number } = {},
): Promise<{ key: string; objectPath: string; deps: DependencyHash[] } | undefined> {
  const { tc, inputs, header } = job;
  const p = { cache, cwd: job.cwd, signal: o.signal, verbose: o.verbose };
  const tmp = await cache.makeTmpDir();
  try {
    const paths = { source: header, object: join(tmp, tc.kind === "gcc" ? "pch.h.gch" : "pch.pch"), depfile: join(tmp, "pch.d") };
    const args = headerCommand(tc, inputs, paths);
    if (p.verbose) process.stderr.write(`[orcjit] (precompiled header) ${[tc.command, ...args].join(" ")}\n`);
    const started = Date.now() + 1;
    const group = process.platform !== "win32";
    const sub = runProcess(tc.command, args, { cwd: p.cwd, env, ...(p.signal ? { signal: p.signal } : {}), ...(o.timeout ? { timeout: o.timeout } : {}), ...(group ? { detached: true } : {}) });
    const killGroup = (): void => {
      try {
        if (sub.pid !== undefined) process.kill(-sub.pid, "SIGKILL");
      } catch {
        // gone
      }
    };
    if (group) {
      p.signal?.addEventListener("abort", killGroup, { once: true });
      liveBuilds.add(killGroup);
      if (liveBuilds.size === 1 && !exitHook) {
        exitHook = true;
        // A PCH build still running when this process exits is killed with it, not orphaned.
        process.once("exit", () => liveBuilds.forEach((kill) => kill()));
      }
    }
    const r = await sub.result.finally(() => {
      p.signal?.removeEventListener("abort", killGroup);
      liveBuilds.delete(killGroup);
    });
    if (r.canceled || p.signal?.aborted) throw p.signal?.reason ?? new DOMException("The operation was aborted", "AbortError");
    const st = r.exitCode === 0 ? await stat(paths.object).catch(() => undefined) : undefined;
    if (!st || st.size === 0) {
      if (p.verbose) process.stderr.write(`[orcjit] precompiling ${header} failed; compiling without it:\n${r.output}\n`);
      return undefined;
    }
    let depText: string;
    try {
      depText = readFileSync(paths.depfile, "utf8");
    } catch {
      return undefined; // no dependency list: the objects could not depend on its headers
    }
    const depPaths = [...new Set(parseMakeDepfile(depText, p.cwd))].filter((d) => !isPchArtifact(p.cache, d)).sort();
    const stampedAt = Date.now();
    const deps: DependencyHash[] = [];
    let racy = false;
    for (const path of depPaths) {
      const h = hashAndStamp(path);
      if (!h?.stamp || h.stamp.mtimeMs > started) racy = true;
      if (h) deps.push({ path, sha256: h.sha256, ...(h.stamp ? { stamp: h.stamp } : {}) });
    }
    if (!racy && sha256(readFileSync(header)) !== job.headerSha256) racy = true;
    const published = await p.cache.publish({
      baseKey: job.baseKey,
      objectTmpPath: paths.object,
      deps,
      stampedAt,
      record: !racy,
      meta: { source: header, language: `${inputs.language}-header (precompiled)`, compiler: { kind: tc.kind, path: tc.resolvedPath, version: tc.version, target: tc.target } },
    });
    return { key: published.key, objectPath: published.objectPath, deps };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** pch-worker.js next to this module (tsc's dist/compiler/, the bundle's dist/bundle/); undefined under src/. */
function workerFile(): string | undefined {
  if (process.env.ORCJIT_PCH_WAIT === "1") return undefined;
  // process.execPath must be a node that runs a script given as its argument (not Electron's
  // app binary, not Deno).
  if (process.versions.electron !== undefined || "Deno" in globalThis) return undefined;
  const f = fileURLToPath(new URL("./pch-worker.js", import.meta.url));
  return existsSync(f) ? f : undefined;
}

/**
 * Starts a detached `node pch-worker.js <job>`: its own session (a terminal's Ctrl-C and this
 * process's exit hooks leave it alone), no stdio, unreferenced (this process may exit first).
 * Resolves when it exits, to the PCH it published (looked up like any entry), if any.
 */
function buildInWorker(p: PchContext, tc: Toolchain, inputs: CommandInputs, header: string, baseKey: string, text: Buffer, worker: string): Promise<Pch | undefined> {
  const job: PchJob = { cacheRoot: p.cache.root, cwd: p.cwd, tc, inputs, header, baseKey, headerSha256: sha256(text) };
  if (p.verbose) process.stderr.write(`[orcjit] precompiling ${header} in the background (detached ${worker}); this compile includes it as text\n`);
  return new Promise((done) => {
    const settle = (): void => {
      const hit = p.cache.lookupSync(baseKey, p.hashFile);
      done(hit ? usable(p, tc, header, hit.key, hit.objectPath, hit.deps) : undefined);
    };
    try {
      const env = pchEnv(p.env, tc);
      delete env.NODE_OPTIONS; // the application's preloads, inspector, ... are not the worker's
      const child = process.getBuiltinModule("node:child_process").spawn(process.execPath, [worker, JSON.stringify(job)], {
        cwd: p.cwd,
        env,
        stdio: "ignore",
        detached: true,
      });
      child.once("error", () => done(undefined));
      child.once("exit", settle);
      child.unref();
    } catch {
      done(undefined);
    }
  });
}

/** The flags that use the blob; for gcc, the `<dir>/pch.h` + `pch.h.gch` pair it needs, made once per PCH key. */
function usable(p: PchContext, tc: Toolchain, header: string, key: string, blob: string, hashes: DependencyHash[]): Pch | undefined {
  const deps = hashes.map((d) => d.path);
  if (tc.kind === "clang") return { path: blob, deps, hashes, files: [blob], useArgs: ["-include-pch", blob, "-fpch-validate-input-files-content"] };
  const dir = join(p.cache.dir, "pch", key.slice(0, 32));
  const wrapper = join(dir, "pch.h");
  const gch = `${wrapper}.gch`;
  const wrapperText = `#include ${JSON.stringify(header)}\n`;
  const ready = (): boolean => {
    try {
      // existsSync follows the link: a .gch whose blob was pruned counts as missing.
      return existsSync(gch) && readFileSync(wrapper, "utf8") === wrapperText;
    } catch {
      return false;
    }
  };
  for (let attempt = 0; !ready(); attempt++) {
    if (attempt === 2) return undefined; // the unit compiles with the header as text
    try {
      // Made in a private directory and renamed into place: a concurrent compile sees the
      // complete pair or none. The .gch is a symbolic link to the blob (not a hard link, which
      // would keep a pruned 55 MB blob alive outside the cache's accounting).
      mkdirSync(join(p.cache.dir, "pch"), { recursive: true, mode: 0o700 });
      const tmp = join(p.cache.dir, "pch", uniqueName("new"));
      mkdirSync(tmp, { mode: 0o700 });
      writeFileSync(join(tmp, "pch.h"), wrapperText);
      try {
        symlinkSync(blob, join(tmp, "pch.h.gch"));
      } catch {
        copyFileSync(blob, join(tmp, "pch.h.gch"));
      }
      try {
        renameSync(tmp, dir);
      } catch {
        // Another process published it first (then it is ready), or a stale pair is in the way
        // (its blob was pruned): remove it, and try once more.
        rmSync(tmp, { recursive: true, force: true });
        if (!ready()) rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      return undefined;
    }
  }
  // -Winvalid-pch: should gcc refuse the .gch (it then parses the header text: same result,
  // slower), it says why.
  return { path: blob, deps, hashes, files: [blob, wrapper, gch], useArgs: ["-include", wrapper, "-Winvalid-pch"] };
}

/** Test hook: forget the per-process PCH memo. */
export function resetPchMemo(): void {
  memo.clear();
}

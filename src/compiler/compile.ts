// compileUnits: sources → cached relocatable objects.
import { existsSync, statSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, isAbsolute, join, resolve } from "node:path";
import { ObjectCache } from "../cache/store.js";
import { objectBaseKey, racyKey } from "../cache/key.js";
import type { DependencyHash } from "../cache/store.js";
import { resolveCacheDir } from "../cache/paths.js";
import { CompileError, ToolchainError } from "../errors.js";
import type { Diagnostic } from "../types.js";
import { kindOf, readRegularFileSync } from "../util/fs.js";
import { hashAndStamp, hashFileSync } from "../util/stamp.js";
import { createLimiter } from "../util/limit.js";
import { runProcess } from "../util/process.js";
import { guardCompile, trackTmpDir } from "./cleanup.js";
import { bundledHeaderHash, bundledIncludeDir, toolkitId } from "./bundled.js";
import { parseMakeDepfile, parseShowIncludes } from "./depfile.js";
import { parseDiagnostics } from "./diagnostics.js";
import { flagFilesOf } from "./keyfiles.js";
import { validateCompileInputs } from "./validate.js";
import { buildCompileCommand, flagsReferToCwd, KEY_PLACEHOLDERS, languageOf, type CommandInputs } from "./flags.js";
import { prefetchToolchain, resolveToolchain } from "./toolchain.js";
import { ensurePch, forceIncludeArgs, isPchArtifact, pchSupported, withPch, type Pch } from "./pch.js";
import { depScanArgs, launch, launcherEnv, noteOnce, pchWithLauncher, resolveLauncher, scansOwnDeps, withoutDepfile, type Launcher } from "./launcher.js";
import type { CompiledObject, CompileOptions, CompileUnit, Toolchain } from "./types.js";
import { checkOptions, optionKeys } from "../util/options.js";

interface Context {
  options: CompileOptions;
  /** `<launcher> <compiler> <args>` (ccache, distcc, ...); not part of any key. */
  launcher: Launcher | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
  cache: ObjectCache;
  includeDir: string;
  includeHash: string;
  hashFile: (p: string) => string | undefined;
  /** Per `pch` header (absolute), how many units of this call use it. */
  pchUsers: Map<string, number>;
  total: number;
}

/**
 * A unit's result and the object's bytes as compileUnits read and verified them (a hit's blob,
 * checked against its sha256; a fresh build's output). compileUnits drops the bytes: results
 * may be kept for a long time.
 */
interface Built {
  object: CompiledObject;
  bytes: Buffer;
}

/** Every CompileOptions key (checkOptions rejects others). */
export const COMPILE_OPTION_KEYS = optionKeys<CompileOptions>({ compiler: true, nvcc: true, cudaArch: true, optLevel: true, debug: true, extraCflags: true, extraCudaCflags: true, extraIncludePaths: true, cacheDir: true, launcher: true, pch: true, force: true, jobs: true, signal: true, verbose: true, buildDirectory: true, env: true, onProgress: true, cwd: true });

/**
 * Compiles each unit to an object (or finds it in the cache). Runs at most `options.jobs`
 * compilers at once; every unit runs even when one fails, then the first failure (in unit
 * order) is thrown as a CompileError carrying the diagnostics of every failed unit.
 * Cancelling `options.signal` kills running compilers and rejects with the signal's reason.
 */
export async function compileUnits(units: readonly CompileUnit[], options: CompileOptions = {}): Promise<CompiledObject[]> {
  checkOptions("compileUnits(units, options)", options, COMPILE_OPTION_KEYS);
  return (await compileUnitsImpl(units, options)).map((b) => b.object);
}

/**
 * compileUnits, also returning each object's bytes as compileUnits read and verified them (a
 * hit's blob, checked against its sha256; a fresh build's output), so the caller can load them
 * without reading the file again. Internal (loadInline). The bytes are not attached to the
 * results, which callers may keep for a long time.
 */
export async function compileUnitsWithBytes(units: readonly CompileUnit[], options: CompileOptions = {}): Promise<{ objects: CompiledObject[]; bytes: Buffer[] }> {
  const built = await compileUnitsImpl(units, options);
  return { objects: built.map((b) => b.object), bytes: built.map((b) => b.bytes) };
}

async function compileUnitsImpl(units: readonly CompileUnit[], options: CompileOptions): Promise<Built[]> {
  validateCompileInputs(units, options);
  options.signal?.throwIfAborted();
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const cache = new ObjectCache(resolveCacheDir(options.cacheDir, env));
  await cache.ready();
  const includeDir = bundledIncludeDir(env);
  // Start identifying the compilers now: on a cold start that is one or more compiler
  // processes, which overlap with hashing the bundled headers (and each other).
  for (const u of units) prefetchToolchain(u.language ?? languageOf(resolve(cwd, u.source)), options, env, cache.toolchainDir);
  const hashes = new Map<string, string | undefined>();
  const hashFile = (p: string): string | undefined => {
    if (!hashes.has(p)) hashes.set(p, hashFileSync(p));
    return hashes.get(p);
  };
  const pchUsers = new Map<string, number>();
  for (const u of units) if (u.pch) pchUsers.set(resolve(cwd, u.pch), (pchUsers.get(resolve(cwd, u.pch)) ?? 0) + 1);
  const ctx: Context = { options, launcher: resolveLauncher(options.launcher, env), env, cwd, cache, includeDir, includeHash: await bundledHeaderHash(includeDir, cache.toolchainDir), hashFile, pchUsers, total: units.length };
  const limit = createLimiter(options.jobs ?? availableParallelism());
  const settled = await Promise.allSettled(units.map((u, i) => limit(() => compileOne(u, i, ctx))));
  const failures = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as unknown] : []));
  if (failures.length) {
    if (options.signal?.aborted) throw options.signal.reason;
    const compileErrors = failures.filter((f): f is CompileError => f instanceof CompileError);
    const nonCompile = failures.find((f) => !(f instanceof CompileError));
    if (nonCompile !== undefined) throw nonCompile;
    const first = compileErrors[0]!;
    if (compileErrors.length === 1) throw first;
    throw new CompileError(
      compileErrors.flatMap((e) => e.diagnostics),
      first.command,
      compileErrors.map((e) => e.log).join("\n"),
      { ...(first.logPath ? { logPath: first.logPath } : {}), cause: first },
    );
  }
  return settled.map((s) => (s as PromiseFulfilledResult<Built>).value);
}

function commandInputs(unit: CompileUnit, language: CommandInputs["language"], ctx: Context): CommandInputs {
  const o = ctx.options;
  return {
    language,
    includeDirs: [ctx.includeDir, ...(unit.includeDirs ?? []), ...(o.extraIncludePaths ?? [])].map((d) => resolve(ctx.cwd, d)),
    defines: unit.defines ?? {},
    unitFlags: unit.flags ?? [],
    extraCflags: o.extraCflags ?? [],
    extraCudaCflags: o.extraCudaCflags ?? [],
    optLevel: o.optLevel ?? 2,
    // ORCJIT_DEBUGGER=1 (docs/debugging.md) registers every library with debuggers: give them lines.
    debug: o.debug ?? ctx.env.ORCJIT_DEBUGGER === "1",
    cudaArch: o.cudaArch ?? ctx.env.ORCJIT_CUDA_ARCH,
    arch: process.arch,
  };
}

/** The base key (src/cache/key.ts) of compiling `source` with `keyArgs`. */
function baseKeyOf(tc: Toolchain, inputs: CommandInputs, keyArgs: string[], source: string, text: Buffer, ctx: Context): string {
  const flags = [...inputs.unitFlags, ...inputs.extraCflags, ...inputs.extraCudaCflags];
  return objectBaseKey({
    toolkit: toolkitId(),
    bundledHeaders: ctx.includeHash,
    compiler: tc,
    language: inputs.language,
    args: keyArgs,
    source,
    text,
    env: { ...ctx.env, ...(tc.env ?? {}) },
    flagFiles: flagFilesOf([...tc.prefixArgs, ...inputs.unitFlags, ...(tc.kind === "nvcc" ? inputs.extraCudaCflags : inputs.extraCflags)], ctx.cwd, source),
    ...(flagsReferToCwd(flags) ? { cwd: ctx.cwd } : {}),
  });
}

async function compileOne(unit: CompileUnit, index: number, ctx: Context): Promise<Built> {
  const { options, cache } = ctx;
  options.signal?.throwIfAborted();
  const t0 = performance.now();
  const source = resolve(ctx.cwd, unit.source);
  const language = unit.language ?? languageOf(source);
  const progress = (kind: "start" | "cached" | "compiled" | "failed", durationMs?: number): void =>
    options.onProgress?.({ kind, source, index, total: ctx.total, ...(durationMs !== undefined ? { durationMs } : {}) });

  let text: Buffer;
  try {
    text = readRegularFileSync(source); // a FIFO or device is refused, never waited on
  } catch (e) {
    progress("failed");
    const d: Diagnostic = { severity: "error", message: `cannot read source file: ${(e as Error).message}`, location: { file: source, line: 1, column: 1 } };
    throw new CompileError([d], [], "", { cause: e });
  }
  const tc = await resolveToolchain(language, options, ctx.env, cache.toolchainDir);
  const baseInputs = commandInputs(unit, language, ctx);
  // A `pch` header means "force-include it": that is what the key records, PCH or not.
  const pchHeader = unit.pch ? resolve(ctx.cwd, unit.pch) : undefined;
  const inputs = pchHeader ? { ...baseInputs, unitFlags: [...forceIncludeArgs(tc.kind, pchHeader), ...baseInputs.unitFlags] } : baseInputs;
  const keyPlan = buildCompileCommand(tc, inputs, KEY_PLACEHOLDERS);
  const baseKey = baseKeyOf(tc, inputs, keyPlan.keyArgs, source, text, ctx);

  if (!options.force) {
    const hit = cache.lookupSync(baseKey, ctx.hashFile);
    if (hit) {
      const durationMs = performance.now() - t0;
      progress("cached", durationMs);
      return { object: { source, objectPath: hit.objectPath, key: hit.key, cacheHit: true, dependencies: hit.deps.map((d) => d.path), durationMs, warnings: [] }, bytes: hit.bytes };
    }
  }

  refuseSpecialDeps(cache.recordedDeps(baseKey), source);
  return compileMiss({ unit, ctx, source, language, text, tc, inputs, baseKey, t0, progress, pch: pchHeader ? { header: pchHeader, inputs: baseInputs } : undefined });
}

/**
 * A header the last builds of this unit included that is now a FIFO, socket or device would
 * block the compiler (for ever, for a FIFO nobody writes): refused before the compiler starts.
 * (A header included for the first time is only seen by the compiler; cancel with a signal.)
 */
function refuseSpecialDeps(paths: readonly string[], source: string): void {
  for (const p of paths) {
    let st;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch {
      continue;
    }
    if (st && !st.isFile() && !st.isDirectory())
      throw new CompileError([{ severity: "error", message: `included file ${p} is ${kindOf(st)}, not a regular file: the compiler would block reading it`, location: { file: source, line: 1, column: 1 } }], [], "");
  }
}

/**
 * The miss half of compileOne: run the compiler and publish. A separate function so that a
 * warm start (all hits) never has V8 compile this larger body.
 */
async function compileMiss(m: {
  unit: CompileUnit;
  ctx: Context;
  source: string;
  language: CommandInputs["language"];
  text: Buffer;
  tc: Toolchain;
  inputs: CommandInputs;
  baseKey: string;
  t0: number;
  progress: (kind: "start" | "cached" | "compiled" | "failed", durationMs?: number) => void;
  /** The unit's force-included header, and the inputs without it (what its PCH is built with). */
  pch: { header: string; inputs: CommandInputs } | undefined;
}): Promise<Built> {
  const { ctx, progress } = m;
  const { options, cache } = ctx;
  progress("start");
  const { tc } = m;
  let pch: Pch | undefined;
  const withLauncher = pchWithLauncher(ctx.launcher, tc.kind);
  if (m.pch && options.pch !== false && pchSupported(tc.kind) && !withLauncher.ok) noteOnce(`${withLauncher.why}: ${m.pch.header} is included as text, not precompiled`);
  else if (m.pch && options.pch !== false && pchSupported(tc.kind))
    pch = await ensurePch(
      { cache, env: ctx.env, cwd: ctx.cwd, hashFile: ctx.hashFile, baseKey: (k, s, t) => baseKeyOf(tc, m.pch!.inputs, k, s, t, ctx), ...(options.signal ? { signal: options.signal } : {}), ...(options.verbose ? { verbose: true } : {}) },
      tc,
      m.pch.inputs,
      m.pch.header,
      // A PCH only this unit uses does not make it wait: built in the background (pch.ts).
      ctx.pchUsers.get(m.pch.header) === 1,
    );
  for (let attempt = 1; ; attempt++) {
    const tmp = await cache.makeTmpDir();
    const untrack = trackTmpDir(tmp);
    try {
      return await compileInto(m, tmp, pch);
    } catch (e) {
      // The build directory vanished under the compiler (a concurrent `cache clear` or a
      // prune): recreate the tree and build again, rather than fail with "cannot open out.o".
      if (attempt < MAX_ATTEMPTS && !options.signal?.aborted && !existsSync(tmp)) {
        cache.reset();
        continue;
      }
      throw e;
    } finally {
      untrack();
      await rm(tmp, { recursive: true, force: true });
    }
  }
}

/** Attempts per unit when its build directory is deleted under it (each `cache clear` costs one). */
const MAX_ATTEMPTS = 5;

/** One compile attempt into the build directory `tmp`, then publication. */
async function compileInto(m: Parameters<typeof compileMiss>[0], tmp: string, pch: Pch | undefined): Promise<Built> {
  const { ctx, source, language, text, tc, inputs, baseKey, t0, progress } = m;
  const { options, cache } = ctx;
  const objExt = tc.kind === "msvc" || tc.kind === "clang-cl" ? ".obj" : ".o";
  const paths = { source, object: join(tmp, `out${objExt}`), depfile: join(tmp, "out.d") };
  const plan = buildCompileCommand(tc, inputs, paths);
  const textArgs = plan.args;
  if (pch) plan.args = withPch(plan.args, m.pch!.header, pch);
  // Caching launchers: no depfile asked of them; our own -MM scan (the text form of a PCH
  // header, so the scan lists the headers inside it) runs next to the compile. See launcher.ts.
  const ownDeps = scansOwnDeps(ctx.launcher, tc.kind) && plan.deps === "makefile";
  if (ownDeps) plan.args = withoutDepfile(plan.args, paths.depfile);
  const run = launch(ctx.launcher, tc.command, plan.args);
  const command = [run.file, ...run.args];
  if (options.verbose) process.stderr.write(`[orcjit] ${command.map(quoteArg).join(" ")}\n`);
  // Wall-clock ms, rounded up: a file written before this point has an mtime ≤ started even
  // though Date.now() truncates (file times come from the kernel's coarse clock).
  const started = Date.now() + 1;
  const childEnv: NodeJS.ProcessEnv = { ...ctx.env, ...(tc.env ?? {}), ...launcherEnv(ctx.launcher, ctx.env, !!pch), LC_MESSAGES: "C", VSLANG: "1033" };
  delete childEnv.LC_ALL;
  let r;
  const scan = ownDeps ? runProcess(tc.command, depScanArgs(textArgs, paths), { cwd: ctx.cwd, env: childEnv, ...(options.signal ? { signal: options.signal } : {}) }).result : undefined;
  // POSIX: the compiler gets its own process group, and cancelling kills the whole group.
  // gcc runs cc1/as as child processes that inherit the output pipes: killing only the
  // driver would leave them running (or blocked, e.g. on a FIFO) and the pipes open.
  const group = process.platform !== "win32";
  options.signal?.throwIfAborted(); // cancelled while preparing: start nothing
  const tracked = group ? guardCompile(tmp) : undefined;
  try {
    const sub = runProcess(run.file, run.args, {
      cwd: ctx.cwd,
      env: childEnv,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(group ? { detached: true } : {}),
    });
    if (tracked && sub.pid !== undefined) {
      tracked.attach(sub.pid);
      if (options.signal?.aborted) tracked.kill();
      else options.signal?.addEventListener("abort", tracked.kill, { once: true });
    }
    r = await sub.result;
  } finally {
    if (tracked) {
      options.signal?.removeEventListener("abort", tracked.kill);
      tracked.done();
    }
  }
  const output = r.output;
  if (r.canceled || options.signal?.aborted) throw options.signal?.reason ?? new DOMException("The operation was aborted", "AbortError");
  const scanned = await scan;
  if (r.error) throw new ToolchainError(`cannot run ${run.file}${ctx.launcher ? ` (the compiler launcher)` : ""}: ${r.error.message}`, { cause: r.error });

  const { deps: shownIncludes, rest } = plan.deps === "showIncludes" ? parseShowIncludes(output) : { deps: [], rest: output };
  const diagnostics = parseDiagnostics(rest);
  const objectStat = r.exitCode === 0 && !r.signal ? await stat(paths.object).catch(() => undefined) : undefined;
  const logBase = `${basename(source)}-${baseKey.slice(0, 12)}.log`;
  const logText = `$ ${command.map(quoteArg).join(" ")}\n${rest}`;

  if (!objectStat || objectStat.size === 0) {
    // No error with a location: say what the compiler printed (an assembler message, "No
    // space left on device", a cc1 option error, ...), not only its exit status or the
    // driver's "assembler command failed" — the cause would otherwise be in the log only.
    const firstError = diagnostics.find((d) => d.severity === "error");
    if (!firstError) {
      const why = r.signal ? `the compiler was terminated by ${r.signal}` : r.exitCode === 0 ? "the compiler produced no object file" : `the compiler exited with status ${r.exitCode}`;
      const said = outputSummary(rest, []);
      diagnostics.push({ severity: "error", message: said ? `${why}: ${said}` : why, location: { file: source, line: 1, column: 1 } });
    } else if (!firstError.location) {
      const said = outputSummary(rest, diagnostics.map((d) => d.message));
      if (said) firstError.message = `${firstError.message} — compiler output: ${said}`;
    }
    const logPath = await writeLog(ctx, logBase, logText);
    progress("failed", performance.now() - t0);
    throw new CompileError(diagnostics, command, rest, logPath ? { logPath } : {});
  }
  if (rest.trim()) await writeLog(ctx, logBase, logText);

  // Dependencies (without the source itself), hashed now: their contents are what the object was built from.
  let depPaths: string[];
  if (plan.deps === "makefile") {
    const depText = await readFile(paths.depfile, "utf8").catch(() => "");
    depPaths = parseMakeDepfile(depText, ctx.cwd);
  } else {
    const sys = (childEnv.INCLUDE ?? "").split(";").filter(Boolean).map((d) => resolve(d).toLowerCase());
    depPaths = shownIncludes.map((d) => (isAbsolute(d) ? d : resolve(ctx.cwd, d))).filter((d) => !sys.some((s) => d.toLowerCase().startsWith(s)));
  }
  // With a PCH, the headers it was built from are dependencies too (gcc's depfile omits them),
  // and the PCH files themselves are not (content-addressed, never edited).
  if (pch) depPaths = [...depPaths, ...pch.deps].filter((d) => !isPchArtifact(cache, resolve(d)));
  depPaths = [...new Set(depPaths.map((d) => resolve(d)))].filter((d) => d !== source).sort();
  const deps: DependencyHash[] = [];
  let racy = false;
  const stampedAt = Date.now(); // before the stats: see util/stamp.ts
  for (const path of depPaths) {
    // Hashed afresh (not from the lookup's memo): the file may have changed since the lookup.
    // The stat stamp recorded with the hash lets later lookups skip re-reading the file.
    // No stamp = the file changed while it was read: not what the compiler saw either.
    const h = hashAndStamp(path);
    if (!h?.stamp) {
      racy = true;
      continue;
    }
    if (changedSince(h.stamp, started)) racy = true;
    warnFutureMtime(path, h.stamp.mtimeMs, diagnostics);
    deps.push({ path, sha256: h.sha256, stamp: h.stamp });
  }
  // Our own dependency scan failed (while the compile worked): the list may be incomplete.
  if (scanned && scanned.exitCode !== 0) racy = true;
  // The source changed between reading it for the key and the compiler reading it, or during the compile.
  const srcStat = await stat(source).catch(() => undefined);
  if (!srcStat || changedSince(srcStat, started)) racy = true;
  else if (!racy && !readSourceAgain(source)?.equals(text)) racy = true;
  if (srcStat) warnFutureMtime(source, srcStat.mtimeMs, diagnostics);

  const published = await cache.publish({
    baseKey,
    objectTmpPath: paths.object,
    deps,
    stampedAt,
    record: !racy,
    meta: { source, language, compiler: { kind: tc.kind, path: tc.resolvedPath, version: tc.version, target: tc.target } },
  });
  const key = racy ? racyKey(published.key, stampedAt, published.objectPath) : published.key;
  const durationMs = performance.now() - t0;
  progress("compiled", durationMs);
  return { object: { source, objectPath: published.objectPath, key, cacheHit: false, dependencies: deps.map((d) => d.path), durationMs, warnings: diagnostics }, bytes: published.bytes };
}

/**
 * True when a file was (or may have been) modified after `started`. ctime is set by the kernel
 * on every change and cannot be set by programs; an mtime later than `started` counts too —
 * unless it is later than now, which no edit made during the compile can produce: a file
 * dated in the future (clock skew, an archive, `touch -d`) is cached like any other, instead
 * of being "racy" on every build forever.
 */
function changedSince(st: { mtimeMs: number; ctimeMs: number }, started: number): boolean {
  return st.ctimeMs > started || (st.mtimeMs > started && st.mtimeMs <= Date.now());
}

const FUTURE_SLACK_MS = 2000;
const warnedFuture = new Set<string>();

/** One warning per file and process for a modification time in the future. */
function warnFutureMtime(path: string, mtimeMs: number, diagnostics: Diagnostic[]): void {
  const now = Date.now();
  if (mtimeMs <= now + FUTURE_SLACK_MS || warnedFuture.has(path)) return;
  warnedFuture.add(path);
  diagnostics.push({
    severity: "warning",
    message: `${path} has a modification time ${new Date(mtimeMs).toISOString()}, ${Math.round((mtimeMs - now) / 1000)} s in the future (clock skew?); it is cached by its contents, but check the clock (or \`touch\` the file)`,
    location: { file: path, line: 1, column: 1 },
  });
}

function readSourceAgain(source: string): Buffer | undefined {
  try {
    return readRegularFileSync(source);
  } catch {
    return undefined;
  }
}

/**
 * The first lines of what the compiler printed, for a message (≤ 6 lines, ≤ 600 chars),
 * leaving out the lines that only repeat one of `known` (messages already in the diagnostics).
 */
function outputSummary(output: string, known: readonly string[]): string {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !known.some((k) => k && l.endsWith(k)))
    .slice(0, 6);
  const text = lines.join(" | ");
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

async function writeLog(ctx: Context, name: string, text: string): Promise<string | undefined> {
  const dir = ctx.options.buildDirectory ? resolve(ctx.cwd, ctx.options.buildDirectory) : ctx.cache.logDir;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const p = join(dir, name);
    await writeFile(p, text);
    return p;
  } catch {
    return undefined;
  }
}

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

// compileUnits: sources → cached relocatable objects.
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, isAbsolute, join, resolve } from "node:path";
import { execa } from "execa";
import { ObjectCache } from "../cache/store.js";
import type { DependencyHash } from "../cache/store.js";
import { resolveCacheDir } from "../cache/paths.js";
import { CompileError, ToolchainError } from "../errors.js";
import type { Diagnostic } from "../types.js";
import { KeyHasher, sha256File } from "../util/hash.js";
import { createLimiter } from "../util/limit.js";
import { bundledHeaderHash, bundledIncludeDir, toolkitId } from "./bundled.js";
import { parseMakeDepfile, parseShowIncludes } from "./depfile.js";
import { parseDiagnostics } from "./diagnostics.js";
import { buildCompileCommand, flagsReferToCwd, KEY_PLACEHOLDERS, languageOf, type CommandInputs } from "./flags.js";
import { resolveToolchain } from "./toolchain.js";
import type { CompiledObject, CompileOptions, CompileUnit, Toolchain } from "./types.js";

/** Environment variables that change what a compiler does with the same command line. */
const KEY_ENV = ["CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH", "SDKROOT", "MACOSX_DEPLOYMENT_TARGET", "INCLUDE", "CL", "_CL_", "CCC_OVERRIDE_OPTIONS", "GCC_EXEC_PREFIX", "COMPILER_PATH"];

interface Context {
  options: CompileOptions;
  env: NodeJS.ProcessEnv;
  cwd: string;
  cache: ObjectCache;
  includeDir: string;
  includeHash: string;
  hashFile: (p: string) => Promise<string | undefined>;
  total: number;
}

/**
 * Compiles each unit to an object (or finds it in the cache). Runs at most `options.jobs`
 * compilers at once; every unit runs even when one fails, then the first failure (in unit
 * order) is thrown as a CompileError carrying the diagnostics of every failed unit.
 * Cancelling `options.signal` kills running compilers and rejects with the signal's reason.
 */
export async function compileUnits(units: readonly CompileUnit[], options: CompileOptions = {}): Promise<CompiledObject[]> {
  options.signal?.throwIfAborted();
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const cache = new ObjectCache(resolveCacheDir(options.cacheDir, env));
  await cache.ready();
  const includeDir = bundledIncludeDir(env);
  const hashes = new Map<string, Promise<string | undefined>>();
  const hashFile = (p: string): Promise<string | undefined> => {
    let h = hashes.get(p);
    if (!h) {
      h = hashRegularFile(p);
      hashes.set(p, h);
    }
    return h;
  };
  const ctx: Context = { options, env, cwd, cache, includeDir, includeHash: await bundledHeaderHash(includeDir), hashFile, total: units.length };
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
  return settled.map((s) => (s as PromiseFulfilledResult<CompiledObject>).value);
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
    debug: o.debug ?? false,
    cudaArch: o.cudaArch ?? ctx.env.ORCJIT_CUDA_ARCH,
    arch: process.arch,
  };
}

/** The base key: everything but the headers, which are only known after a compile. */
function baseKeyOf(tc: Toolchain, inputs: CommandInputs, keyArgs: string[], source: string, text: Buffer, ctx: Context): string {
  const h = new KeyHasher()
    .field("what", "tvm-ffi-orcjit object")
    .field("toolkit", toolkitId())
    .field("bundled-headers", ctx.includeHash)
    .field("compiler.kind", tc.kind)
    .field("compiler.path", tc.resolvedPath)
    .field("compiler.version", tc.version)
    .field("compiler.target", tc.target)
    .list("compiler.prefix", tc.prefixArgs)
    .field("language", inputs.language)
    .list("args", keyArgs)
    .field("source.path", source)
    .field("source.text", text);
  const envSrc = { ...ctx.env, ...(tc.env ?? {}) };
  for (const name of KEY_ENV) h.field(`env.${name}`, envSrc[name]);
  if (flagsReferToCwd([...inputs.unitFlags, ...inputs.extraCflags, ...inputs.extraCudaCflags])) h.field("cwd", ctx.cwd);
  return h.digest();
}

async function compileOne(unit: CompileUnit, index: number, ctx: Context): Promise<CompiledObject> {
  const { options, cache } = ctx;
  options.signal?.throwIfAborted();
  const t0 = performance.now();
  const source = resolve(ctx.cwd, unit.source);
  const language = unit.language ?? languageOf(source);
  const progress = (kind: "start" | "cached" | "compiled" | "failed", durationMs?: number): void =>
    options.onProgress?.({ kind, source, index, total: ctx.total, ...(durationMs !== undefined ? { durationMs } : {}) });

  let text: Buffer;
  try {
    text = await readFile(source);
  } catch (e) {
    progress("failed");
    const d: Diagnostic = { severity: "error", message: `cannot read source file: ${(e as Error).message}`, location: { file: source, line: 1, column: 1 } };
    throw new CompileError([d], [], "", { cause: e });
  }
  const tc = await resolveToolchain(language, options, ctx.env, cache.toolchainDir);
  const inputs = commandInputs(unit, language, ctx);
  const keyPlan = buildCompileCommand(tc, inputs, KEY_PLACEHOLDERS);
  const baseKey = baseKeyOf(tc, inputs, keyPlan.keyArgs, source, text, ctx);

  if (!options.force) {
    const hit = await cache.lookup(baseKey, ctx.hashFile);
    if (hit) {
      const durationMs = performance.now() - t0;
      progress("cached", durationMs);
      return { source, objectPath: hit.objectPath, key: hit.key, cacheHit: true, dependencies: hit.deps.map((d) => d.path), durationMs, warnings: [] };
    }
  }

  progress("start");
  const tmp = await cache.makeTmpDir();
  try {
    const objExt = tc.kind === "msvc" || tc.kind === "clang-cl" ? ".obj" : ".o";
    const paths = { source, object: join(tmp, `out${objExt}`), depfile: join(tmp, "out.d") };
    const plan = buildCompileCommand(tc, inputs, paths);
    const command = [tc.command, ...plan.args];
    if (options.verbose) process.stderr.write(`[orcjit] ${command.map(quoteArg).join(" ")}\n`);
    // Wall-clock ms, rounded up: a file written before this point has an mtime ≤ started even
    // though Date.now() truncates (file times come from the kernel's coarse clock).
    const started = Date.now() + 1;
    const childEnv: NodeJS.ProcessEnv = { ...ctx.env, ...(tc.env ?? {}), LC_MESSAGES: "C", VSLANG: "1033" };
    delete childEnv.LC_ALL;
    let r;
    try {
      r = await execa(tc.command, plan.args, {
        cwd: ctx.cwd,
        env: childEnv,
        extendEnv: false,
        all: true,
        reject: false,
        stdin: "ignore",
        stripFinalNewline: false,
        ...(options.signal ? { cancelSignal: options.signal } : {}),
        forceKillAfterDelay: 2000,
      });
    } catch (e) {
      throw new ToolchainError(`cannot run ${tc.command}: ${(e as Error).message}`, { cause: e });
    }
    const output = r.all ?? "";
    if (r.isCanceled || options.signal?.aborted) throw options.signal?.reason ?? new DOMException("The operation was aborted", "AbortError");
    if (r.code === "ENOENT" || (r.failed && r.exitCode === undefined && !r.signal)) throw new ToolchainError(`cannot run ${tc.command}: ${r.message}`, { cause: r.cause });

    const { deps: shownIncludes, rest } = plan.deps === "showIncludes" ? parseShowIncludes(output) : { deps: [], rest: output };
    const diagnostics = parseDiagnostics(rest);
    const objectStat = r.exitCode === 0 && !r.signal ? await stat(paths.object).catch(() => undefined) : undefined;
    const logBase = `${basename(source)}-${baseKey.slice(0, 12)}.log`;
    const logText = `$ ${command.map(quoteArg).join(" ")}\n${rest}`;

    if (!objectStat || objectStat.size === 0) {
      if (!diagnostics.some((d) => d.severity === "error")) {
        const why = r.signal ? `the compiler was terminated by ${r.signal}` : r.exitCode === 0 ? "the compiler produced no object file" : `the compiler exited with status ${r.exitCode}`;
        diagnostics.push({ severity: "error", message: why, location: { file: source, line: 1, column: 1 } });
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
    depPaths = [...new Set(depPaths.map((d) => resolve(d)))].filter((d) => d !== source).sort();
    const deps: DependencyHash[] = [];
    let racy = false;
    for (const path of depPaths) {
      // Hashed afresh (not from the lookup's memo): the file may have changed since the lookup.
      const st = await stat(path).catch(() => undefined);
      const h = await hashRegularFile(path);
      if (!st || h === undefined) {
        racy = true;
        continue;
      }
      if (st.mtimeMs > started) racy = true;
      deps.push({ path, sha256: h });
    }
    // The source changed between reading it for the key and the compiler reading it, or during the compile.
    const srcStat = await stat(source).catch(() => undefined);
    if (!srcStat || srcStat.mtimeMs > started) racy = true;
    else if (!racy && !(await readFile(source).catch(() => undefined))?.equals(text)) racy = true;

    const published = await cache.publish({
      baseKey,
      objectTmpPath: paths.object,
      deps,
      record: !racy,
      meta: { source, language, compiler: { kind: tc.kind, path: tc.resolvedPath, version: tc.version, target: tc.target } },
    });
    const durationMs = performance.now() - t0;
    progress("compiled", durationMs);
    return { source, objectPath: published.objectPath, key: published.key, cacheHit: false, dependencies: deps.map((d) => d.path), durationMs, warnings: diagnostics };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** sha256 of a regular file; undefined for a missing file or a FIFO/device (never block reading one). */
async function hashRegularFile(path: string): Promise<string | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  return sha256File(path).catch(() => undefined);
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

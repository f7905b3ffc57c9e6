// The project layer: the only place that composes manifest → compiler → jit. A Project holds
// the resolved manifest and, per library, the objects of the last build and the JIT library
// currently serving calls (its "generation"), so that watch mode can rebuild and re-link
// libraries by name while the process keeps running. Swapping generations: generation.ts;
// function handles that follow the swaps: handles.ts.
import { availableParallelism } from "node:os";
import { compileUnits, type BuildProgress, type CompileOptions, type CompiledObject, type CompileUnit } from "../compiler/index.js";
import { DisposedError, OrcJitError } from "../errors.js";
import { METADATA_DEFINES } from "./metadata.js";
import type { AsyncFFIFunction, KernelFunction } from "../values/types.js";
import { FunctionHandles, type StableFunctionInfo } from "./handles.js";
import { linkGeneration, type Generation, type GenerationContext } from "./generation.js";
import { inManifestTerms } from "./manifest-terms.js";
import { ExecutionSession, type DynamicLibrary } from "../jit/index.js";
import {
  findLibrary,
  loadManifest,
  manifestOptionsOf,
  resolveManifestPath,
  withDependents,
  type ManifestOptions,
  type ResolvedLibrary,
  type ResolvedManifest,
  type ResolvedSource,
} from "../manifest/index.js";
import type { Diagnostic } from "../types.js";
import { statFile } from "../util/stamp.js";
import { writeExportWrapper } from "./exports.js";
import { checkOptions, optionKeys } from "../util/options.js";

export interface LoadProjectOptions extends ManifestOptions {
  /** Object cache directory (default: the compiler's: $ORCJIT_CACHE_DIR, XDG, ~/.cache/tvm-ffi-orcjit). */
  cacheDir?: string;
  /** Parallel compiler processes (default: number of cores). */
  jobs?: number;
  /** Overrides every library's `compiler`. */
  compiler?: string;
  /** Print compiler command lines to stderr. */
  verbose?: boolean;
  /** Overrides every library's `launcher` (ccache, distcc, ...); false: none. Default: the manifest's, else $ORCJIT_COMPILER_LAUNCHER. */
  launcher?: string | false;
  /** false: `pch:` headers are included as text, not precompiled. */
  pch?: boolean;
}

/** One compile event, tagged with the library and the path relative to the project root. */
export interface ProjectBuildProgress extends BuildProgress {
  library: string;
  /** Source path relative to the project root (as written in the manifest). */
  relativePath: string;
}

export interface ProjectBuildOptions {
  onProgress?: (event: ProjectBuildProgress) => void;
  signal?: AbortSignal;
  /** Recompile even when the cache has the object. */
  force?: boolean;
  /** Build only these libraries (default: all). */
  libraries?: string[];
  /**
   * After the build, look every source up again, and build again while that finds a change
   * (a source or header edited while the compilers ran; at most 3 more times), so that the
   * objects are one consistent snapshot of the files. Watch mode sets it.
   */
  settle?: boolean;
}

export interface LibraryBuildResult {
  name: string;
  /** Compiled objects, one per source, in manifest order. */
  objects: CompiledObject[];
  /** Prebuilt objects listed in the manifest (absolute paths). */
  prebuilt: string[];
}

export interface ProjectBuildResult {
  libraries: LibraryBuildResult[];
  /** Number of sources compiled. */
  total: number;
  compiled: number;
  cached: number;
  durationMs: number;
  /** Compiler warnings of this build. */
  warnings: Diagnostic[];
}

export interface ReloadResult {
  /** Libraries whose new generation was linked (changed ones and their dependents), in load order. */
  relinked: string[];
  added: string[];
  removed: string[];
  build: ProjectBuildResult;
}

/** A library of a project: its configuration, last build, and the JIT library serving calls. */
export class ProjectLibrary<N extends string = string> {
  /** Objects of the last successful build of this library. */
  objects: CompiledObject[] = [];
  /** @internal */ _dylib: DynamicLibrary | undefined;
  /** How many times this library has been linked (1 after the first load). */
  generation = 0;

  constructor(
    /** @internal */ readonly _project: Project,
    public config: ResolvedLibrary,
  ) {}

  get name(): string {
    return this.config.name;
  }

  /** True once the library is linked into a session. */
  get loaded(): boolean {
    return this._dylib !== undefined;
  }

  /** The JIT library currently serving calls; throws if the project is not loaded. */
  get dynamicLibrary(): DynamicLibrary {
    if (!this._dylib) {
      throw new OrcJitError("ORCJIT_NOT_LOADED", `library '${this.name}' is not loaded: call project.load() first`);
    }
    return this._dylib;
  }

  /**
   * A handle on the exported function `name`: it calls the generation serving now, so it stays
   * valid across rebuildLibraries / refresh / reload and calls the newest code (the same
   * handle for the same name). While it exists, a new generation of this library that does
   * not export `name` is rejected. Throws SymbolNotFoundError if the serving generation lacks
   * it, ORCJIT_NOT_LOADED before load(). Typed from its C++ signature when declarations were
   * generated for this library (`orcjit types`).
   */
  getFunction<K extends string>(name: K): KernelFunction<N, K> & StableFunctionInfo {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("getFunction(name): 'name' must be a non-empty string");
    return this._project._handles.get(this.name, name, () => {
      const dylib = this.dynamicLibrary;
      try {
        return dylib.getFunction(name);
      } catch (e) {
        throw inManifestTerms(e, this.name, this._project.file);
      }
    }) as unknown as KernelFunction<N, K> & StableFunctionInfo;
  }
}

/**
 * True when a source or header of `r`'s objects was modified at or after `sinceMs` (a few ms
 * of slack: file times come from the kernel's coarse clock), or is gone.
 */
function modifiedSince(r: ProjectBuildResult, sinceMs: number): boolean {
  for (const l of r.libraries) {
    for (const o of l.objects) {
      for (const f of [o.source, ...o.dependencies]) {
        const st = statFile(f);
        if (!st || Math.max(st.mtimeMs, st.ctimeMs) >= sinceMs - 10) return true;
      }
    }
  }
  return false;
}

function libraryCompileOptions(lib: ResolvedLibrary, opts: LoadProjectOptions): CompileOptions {
  const o: CompileOptions = {};
  const compiler = opts.compiler ?? lib.compiler;
  if (compiler !== undefined) o.compiler = compiler;
  const launcher = opts.launcher ?? lib.launcher;
  if (launcher !== undefined) o.launcher = launcher;
  if (opts.pch === false) o.pch = false;
  if (lib.optLevel !== undefined) o.optLevel = lib.optLevel;
  if (lib.debug !== undefined) o.debug = lib.debug;
  return o;
}

function sameConfig(a: ResolvedLibrary, b: ResolvedLibrary): boolean {
  const strip = (l: ResolvedLibrary): unknown => ({
    ...l,
    location: undefined,
    sources: l.sources.map((s) => ({ ...s, location: undefined })),
  });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

export class Project {
  /** @internal */ private libs = new Map<string, ProjectLibrary>();
  /** @internal */ private session: ExecutionSession | undefined;
  /** @internal */ private ownsSession = false;
  /** @internal */ private built = false;
  /** @internal */ readonly _handles = new FunctionHandles();
  /** @internal */ private pending: Generation | undefined;

  constructor(
    public manifest: ResolvedManifest,
    readonly options: LoadProjectOptions = {},
  ) {
    for (const lib of manifest.libraries) this.libs.set(lib.name, new ProjectLibrary(this, lib));
  }

  /** Absolute path of the manifest. */
  get file(): string {
    return this.manifest.file;
  }

  /** The project root (the manifest's directory). */
  get root(): string {
    return this.manifest.root;
  }

  /** Library names in load order (dependencies first). */
  get libraryNames(): string[] {
    return [...this.manifest.loadOrder];
  }

  /** True once `load()` has linked the libraries. */
  get loaded(): boolean {
    return this.session !== undefined;
  }

  /** The library called `name`; throws an OrcJitError naming the known libraries otherwise. */
  library<N extends string>(name: N): ProjectLibrary<N> {
    const lib = this.libs.get(name) as ProjectLibrary<N> | undefined;
    if (!lib) {
      throw new OrcJitError(
        "ORCJIT_UNKNOWN_LIBRARY",
        `no library '${name}' in ${this.manifest.file}; libraries: ${this.libraryNames.join(", ")}`,
      );
    }
    return lib;
  }

  /** Compiles every source that is out of date (content-addressed cache), in parallel. */
  async build(options: ProjectBuildOptions = {}): Promise<ProjectBuildResult> {
    if (!options.settle) return this.buildOnce(options);
    const started = performance.now();
    const { settle: _settle, ...once } = options;
    let passStarted = Date.now();
    let result = await this.buildOnce(once);
    const compiled = new Set<string>();
    const note = (r: ProjectBuildResult): void => {
      for (const l of r.libraries) l.objects.forEach((o, i) => o.cacheHit || compiled.add(`${l.name}\0${i}`));
    };
    note(result);
    const warnings = [...result.warnings];
    const keys = (r: ProjectBuildResult): string => r.libraries.map((l) => l.objects.map((o) => o.key).join(",")).join(";");
    for (let pass = 0; pass < 3; pass++) {
      // nothing the objects were built from was written since the pass started: settled
      if (!modifiedSince(result, passStarted)) break;
      passStarted = Date.now();
      // a re-pass reports only compiles: its cache hits were reported by the pass before
      const onProgress = once.onProgress;
      const again = await this.buildOnce({ ...once, force: false, ...(onProgress ? { onProgress: (e: ProjectBuildProgress) => e.kind !== "cached" && onProgress(e) } : {}) });
      note(again);
      warnings.push(...again.warnings);
      const same = keys(again) === keys(result);
      result = again;
      if (same) break;
    }
    return { ...result, compiled: compiled.size, cached: result.total - compiled.size, durationMs: performance.now() - started, warnings };
  }

  private async buildOnce(options: ProjectBuildOptions): Promise<ProjectBuildResult> {
    const names = options.libraries ?? this.manifest.loadOrder;
    const started = performance.now();
    const plan: { lib: ResolvedLibrary; source: ResolvedSource; unit: CompileUnit }[] = [];
    for (const name of names) {
      const lib = this.library(name).config;
      for (const source of lib.sources) {
        const file = source.functions.length > 0 ? await writeExportWrapper(this.root, lib.name, source) : source.path;
        const unit: CompileUnit = {
          source: file,
          language: source.language,
          flags: source.flags,
          includeDirs: source.includeDirs,
          defines: { ...METADATA_DEFINES, ...source.defines },
          ...(lib.pch && source.language === "c++" ? { pch: lib.pch } : {}),
        };
        plan.push({ lib, source, unit });
      }
    }

    // One compileUnits call per distinct (compiler, optLevel, debug), each with global indices.
    const groups = new Map<string, number[]>();
    plan.forEach((p, i) => {
      const key = JSON.stringify(libraryCompileOptions(p.lib, this.options));
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    // Groups compile concurrently, sharing the job budget; the first failure cancels the rest.
    const results: CompiledObject[] = new Array<CompiledObject>(plan.length);
    const jobs = this.options.jobs ?? availableParallelism();
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    let offset = 0;
    const runs = [...groups].map(async ([key, indices]) => {
      const base = offset;
      offset += indices.length;
      const compileOptions: CompileOptions = {
        ...(JSON.parse(key) as CompileOptions),
        cwd: this.root,
        jobs: Math.max(1, Math.floor(jobs / groups.size)),
        signal: abort.signal,
      };
      if (this.options.cacheDir !== undefined) compileOptions.cacheDir = this.options.cacheDir;
      if (this.options.verbose !== undefined) compileOptions.verbose = this.options.verbose;
      if (options.force !== undefined) compileOptions.force = options.force;
      const onProgress = options.onProgress;
      if (onProgress) {
        compileOptions.onProgress = (e) => {
          const p = plan[indices[e.index]!]!;
          onProgress({
            ...e,
            index: base + e.index,
            total: plan.length,
            library: p.lib.name,
            relativePath: p.source.relativePath,
            source: p.source.path,
          });
        };
      }
      try {
        const objects = await compileUnits(
          indices.map((i) => plan[i]!.unit),
          compileOptions,
        );
        objects.forEach((o, j) => {
          results[indices[j]!] = o;
        });
      } catch (e) {
        if (!abort.signal.aborted) abort.abort(e);
        throw e;
      }
    });
    try {
      const settled = await Promise.allSettled(runs);
      // report the real failure, not a sibling's cancellation
      const failures = settled.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      if (failures.length > 0) throw abort.signal.aborted && abort.signal.reason !== undefined && failures.includes(abort.signal.reason) ? abort.signal.reason : failures[0];
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }

    const libraries: LibraryBuildResult[] = [];
    for (const name of names) {
      const lib = this.library(name);
      const objects = plan.flatMap((p, i) => (p.lib.name === name ? [results[i]!] : []));
      lib.objects = objects;
      libraries.push({ name, objects, prebuilt: [...lib.config.objects] });
    }
    if (options.libraries === undefined) this.built = true;
    const cached = results.filter((r) => r.cacheHit).length;
    return {
      libraries,
      total: results.length,
      cached,
      compiled: results.length - cached,
      durationMs: performance.now() - started,
      warnings: results.flatMap((r) => r.warnings ?? []),
    };
  }

  /**
   * Links every library into `session` (a new one, owned by the project, if omitted) in
   * dependency order. Builds first if `build()` has not run.
   */
  async load(session?: ExecutionSession, options: ProjectBuildOptions = {}): Promise<this> {
    if (this.session) throw new OrcJitError("ORCJIT_ALREADY_LOADED", "the project is already loaded; use reload()");
    if (!this.built) await this.build(options);
    this.ownsSession = session === undefined;
    this.session = session ?? new ExecutionSession();
    try {
      this.link(this.manifest.loadOrder);
    } catch (e) {
      this.unlinkAll();
      if (this.ownsSession) this.session.dispose();
      this.session = undefined;
      throw e;
    }
    return this;
  }

  /**
   * Links a new generation of `names` and of every library that links against them (in load
   * order) from the objects of the last build, and checks it: every function the manifest
   * declares and every function a handle calls must resolve (this links their code and runs
   * the new static constructors). Nothing serves the new code until `commit()`; `discard()`
   * drops it. One generation may be pending at a time. rebuildLibraries / refresh / reload
   * build, prepare and commit in one step; prepare is for callers that try the new code
   * (`generation.getFunction`) before swapping it in.
   */
  prepare(names: string[]): Generation {
    for (const n of names) this.library(n);
    if (!this.session) throw new OrcJitError("ORCJIT_NOT_LOADED", "the project is not loaded: call project.load() first");
    this.checkNoPending();
    const generation = linkGeneration(this.generationContext(this.session), withDependents(this.manifest, names));
    this.pending = generation;
    return generation;
  }

  private checkNoPending(): void {
    if (this.pending) throw new OrcJitError("ORCJIT_GENERATION_PENDING", "a prepared generation is pending: commit() or discard() it first");
  }

  private generationContext(session: ExecutionSession): GenerationContext {
    return {
      session,
      manifestFile: this.manifest.file,
      slot: (name) => this.library(name),
      handles: this._handles,
      settled: (g) => {
        if (this.pending === g) this.pending = undefined;
      },
    };
  }

  /** Links and swaps in a new generation of `names` (load order, dependents included); on failure nothing changes. */
  private link(names: string[]): void {
    this.checkNoPending();
    linkGeneration(this.generationContext(this.session!), names).commit();
  }

  /**
   * Rebuilds `names` and re-links them and their dependents (a new generation each).
   * On a compile or link error the previous generation keeps serving and the error is thrown.
   * Before `load()`, only rebuilds.
   */
  async rebuildLibraries(names: string[], options: Omit<ProjectBuildOptions, "libraries"> = {}): Promise<ReloadResult> {
    for (const n of names) this.library(n);
    const previous = new Map(names.map((n) => [n, this.library(n).objects]));
    let build: ProjectBuildResult;
    try {
      build = await this.build({ ...options, libraries: names });
    } catch (e) {
      for (const [n, objs] of previous) this.library(n).objects = objs;
      throw e;
    }
    const relinked = this.session ? withDependents(this.manifest, names) : [];
    if (this.session) {
      try {
        this.link(relinked);
      } catch (e) {
        for (const [n, objs] of previous) this.library(n).objects = objs;
        throw e;
      }
    }
    return { relinked, added: [], removed: [], build };
  }

  /**
   * Rebuilds every library (unchanged sources are cache hits) and re-links, as one new
   * generation, `names`, every library whose objects changed (a header edited since the last
   * build, even without a file event), and their dependents. Watch mode uses it so that a
   * generation never mixes old and new contents of one header. Errors as rebuildLibraries.
   */
  async refresh(names: string[] = [], options: Omit<ProjectBuildOptions, "libraries"> = {}): Promise<ReloadResult & { changed: string[] }> {
    for (const n of names) this.library(n);
    const keys = (objs: CompiledObject[]): string => objs.map((o) => o.key).join(",");
    const previous = new Map(this.manifest.loadOrder.map((n) => [n, this.library(n).objects]));
    const restore = (): void => {
      for (const [n, objs] of previous) this.library(n).objects = objs;
    };
    let build: ProjectBuildResult;
    try {
      build = await this.build(options);
    } catch (e) {
      restore();
      throw e;
    }
    const changed = this.manifest.loadOrder.filter((n) => keys(previous.get(n)!) !== keys(this.library(n).objects));
    const relinked = this.session ? withDependents(this.manifest, [...names, ...changed]) : [];
    if (this.session && relinked.length > 0) {
      try {
        this.link(relinked);
      } catch (e) {
        restore();
        throw e;
      }
    }
    return { relinked, added: [], removed: [], build, changed };
  }

  /**
   * Re-reads the manifest and applies it: libraries that were added, removed or changed
   * (configuration or object contents) are rebuilt and re-linked with their dependents. On a
   * manifest, compile or link error the project keeps its previous state and the error is thrown.
   */
  async reload(options: Omit<ProjectBuildOptions, "libraries"> = {}): Promise<ReloadResult> {
    const next = await loadManifest(this.manifest.file, manifestOptionsOf(this.options));
    const nextProject = new Project(next, this.options);
    const build = await nextProject.build(options);

    const added = next.loadOrder.filter((n) => !this.libs.has(n));
    const removed = this.manifest.loadOrder.filter((n) => !findLibrary(next, n));
    const changed = next.loadOrder.filter((n) => {
      const old = this.libs.get(n);
      if (!old) return true;
      const now = nextProject.library(n);
      if (!sameConfig(old.config, now.config)) return true;
      const keys = (objs: CompiledObject[]): string => objs.map((o) => o.key).join(",");
      return keys(old.objects) !== keys(now.objects);
    });

    // Adopt the new configuration; ProjectLibrary objects of surviving libraries are kept
    // (callers may hold them), and restored if linking fails.
    const saved = new Map([...this.libs].map(([n, l]) => [n, { config: l.config, objects: l.objects }]));
    const previousManifest = this.manifest;
    for (const name of next.loadOrder) {
      const fresh = nextProject.library(name);
      const lib = this.libs.get(name) ?? new ProjectLibrary(this, fresh.config);
      lib.config = fresh.config;
      lib.objects = fresh.objects;
      this.libs.set(name, lib);
    }
    this.manifest = next;
    this.built = true;

    const relinked = this.session ? withDependents(next, changed) : [];
    try {
      if (this.session) this.link(relinked);
    } catch (e) {
      for (const name of added) this.libs.delete(name);
      for (const [name, state] of saved) Object.assign(this.library(name), state);
      this.manifest = previousManifest;
      throw e;
    }
    const gone: DynamicLibrary[] = [];
    for (const name of removed) {
      const d = this.libs.get(name)?._dylib;
      if (d) gone.push(d);
      this.libs.delete(name);
    }
    // handles of a removed library throw until a later manifest brings it back
    for (const state of this._handles.all()) if (removed.includes(state.library)) state.impl = removedFunction(state.library, next.file);
    this._handles.retire(gone);
    return { relinked, added, removed, build };
  }

  private unlinkAll(): void {
    for (const lib of this.libs.values()) {
      lib._dylib?.dispose();
      lib._dylib = undefined;
      lib.generation = 0;
    }
  }

  /** Unlinks every library, and disposes the session if the project created it. Idempotent. */
  dispose(): void {
    if (!this.session) return;
    this.pending?.discard();
    this._handles.disposeRetired();
    // dependents first
    for (const name of [...this.manifest.loadOrder].reverse()) {
      const lib = this.libs.get(name);
      lib?._dylib?.dispose();
      if (lib) lib._dylib = undefined;
    }
    if (this.ownsSession) this.session.dispose();
    this.session = undefined;
    for (const lib of this.libs.values()) lib.generation = 0;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** What a handle of a library the manifest removed calls: it throws DisposedError. */
function removedFunction(library: string, file: string): AsyncFFIFunction {
  const error = (): DisposedError => new DisposedError(`library '${library}' was removed from ${file}`);
  // no `async` member: a handle's async form calls it to get the error (handles.ts)
  return ((): never => {
    throw error();
  }) as unknown as AsyncFFIFunction;
}

const LOAD_PROJECT_OPTION_KEYS = optionKeys<LoadProjectOptions>({ profile: true, allowOutsideRoot: true, displayPath: true, env: true, cacheDir: true, jobs: true, compiler: true, verbose: true, launcher: true, pch: true });

/** Reads, validates and resolves a manifest (a file, or a directory holding orcjit.yaml). */
export async function loadProject(manifestPath = ".", options: LoadProjectOptions = {}): Promise<Project> {
  checkOptions("loadProject(manifestPath, options)", options, LOAD_PROJECT_OPTION_KEYS);
  const manifest = await loadManifest(resolveManifestPath(manifestPath), manifestOptionsOf(options));
  return new Project(manifest, options);
}

// Watch mode: keeps a project loaded, watches the manifest, every source and every header the
// compiler reported (depfiles), and on a change rebuilds and hot-swaps the affected libraries
// through the project layer. Function handles obtained here are stable: they always call the
// newest generation. Drives src/project only; never touches src/jit.
import * as path from "node:path";
import { watch as chokidarWatch, type FSWatcher } from "chokidar";
import { CompileError, DisposedError, ManifestError, OrcJitError, SymbolNotFoundError } from "../errors.js";
import {
  GENERATED_DIR,
  loadProject,
  type GenerationHooks,
  type LoadProjectOptions,
  type Project,
  type ProjectBuildProgress,
  type ProjectBuildResult,
  type ProjectLibrary,
  type ReloadResult,
} from "../project/index.js";
import { TypedEmitter } from "./emitter.js";

const DEBUG = process.env.ORCJIT_WATCH_DEBUG !== undefined && process.env.ORCJIT_WATCH_DEBUG !== "" && process.env.ORCJIT_WATCH_DEBUG !== "0";

/** A JIT function as the project layer returns it. */
export type WatchedFunctionImpl = ReturnType<ProjectLibrary["getFunction"]>;
type Generation = Parameters<NonNullable<GenerationHooks["retire"]>>[0][number];

export interface WatchOptions extends LoadProjectOptions {
  /** Quiet period after the last file event before a rebuild starts (default 50 ms): a burst of writes or an atomic save gives one rebuild. */
  debounceMs?: number;
  /** Start the file watcher (default true). With false, rebuilds happen only through `reload()`. */
  watch?: boolean;
  /** Poll instead of using native file events (network file systems, some containers). */
  usePolling?: boolean;
  /** Compile progress of the initial build and of every rebuild. */
  onProgress?: (event: ProjectBuildProgress) => void;
}

/** Emitted when a rebuild starts. */
export interface BuildingEvent {
  /** Absolute paths of the files whose change triggered the rebuild (empty for a full reload()). */
  changedFiles: string[];
  /** Libraries that will be rebuilt; every library when the manifest changed. */
  libraries: string[];
  /** True when the manifest is re-read. */
  manifest: boolean;
}

/** Emitted after a rebuild whose new generation now serves calls. */
export interface ReloadEvent {
  /** Libraries linked anew (changed ones and their dependents), in load order. */
  libraries: string[];
  /** Libraries the manifest added / removed. */
  added: string[];
  removed: string[];
  changedFiles: string[];
  /** From the first file event being handled to the new generation serving calls. */
  durationMs: number;
  /** The watcher's generation: 1 after the initial load, +1 per reload that linked something. */
  generation: number;
  /** The compile step: compiled vs cached counts, warnings. */
  build: ProjectBuildResult;
}

/** Context of an `error` event. */
export interface WatchErrorInfo {
  changedFiles: string[];
  /** The generation that keeps serving calls. */
  generation: number;
}

export type WatchEvents = {
  building: [BuildingEvent];
  reload: [ReloadEvent];
  /** CompileError (diagnostics), ManifestError (diagnostics), LinkError, SymbolNotFoundError, ...: the previous generation keeps serving. */
  error: [Error, WatchErrorInfo];
};

/** A function handle that always calls the newest generation of its library. */
export type StableFunction = WatchedFunctionImpl & {
  readonly library: string;
  readonly functionName: string;
};

interface HandleState {
  library: string;
  name: string;
  impl: WatchedFunctionImpl;
  handle: StableFunction;
}

/** One library of a watched project. */
export class WatchedLibrary {
  /** @internal */
  constructor(
    private readonly watcher: ProjectWatcher,
    readonly name: string,
  ) {}

  /** How many times this library has been linked. */
  get generation(): number {
    return this.watcher.project.library(this.name).generation;
  }

  /**
   * A stable handle on the exported function `name`: it calls the newest generation. While
   * a handle exists, a new generation that does not export the function is rejected (the
   * old one keeps serving). Throws SymbolNotFoundError if the current generation lacks it.
   */
  getFunction(name: string): StableFunction {
    return this.watcher._handle(this.name, name);
  }
}

function errorFiles(e: unknown): string[] {
  if (!(e instanceof CompileError) && !(e instanceof ManifestError)) return [];
  return e.diagnostics.flatMap((d) => (d.location && path.isAbsolute(d.location.file) ? [path.resolve(d.location.file)] : []));
}

export class ProjectWatcher extends TypedEmitter<WatchEvents> {
  /** The project being served (its manifest and configuration follow reloads). */
  readonly project: Project;
  /** The initial build (compiled vs cached counts). */
  readonly initialBuild: ProjectBuildResult;
  #generation = 1;
  readonly #options: WatchOptions;
  readonly #debounceMs: number;
  #fs: FSWatcher | undefined;
  /** Watched file → libraries depending on it (the manifest maps to none: it means "all"). */
  #files = new Map<string, Set<string>>();
  #dirs = new Set<string>();
  /** Files named by diagnostics of a failed build (e.g. a broken, newly included header). */
  #errorFiles = new Map<string, Set<string>>();
  #pending = new Set<string>();
  #pendingSince: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #loopRunning = false;
  #abort: AbortController | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #libraries = new Map<string, WatchedLibrary>();
  #handles = new Map<string, HandleState>();
  /** New implementations resolved in the fresh generation, applied when it is swapped in. */
  #staged = new Map<HandleState, WatchedFunctionImpl>();
  #inFlight = 0;
  #retiring: Generation[] = [];

  /** @internal Use watchProject(). */
  constructor(project: Project, initialBuild: ProjectBuildResult, options: WatchOptions) {
    super();
    this.project = project;
    this.initialBuild = initialBuild;
    this.#options = options;
    this.#debounceMs = options.debounceMs ?? 50;
    project.hooks = {
      verify: (fresh) => this.#verify(fresh),
      retire: (old) => this.#retire(old),
    };
  }

  /** 1 after the initial load, +1 per successful reload that linked something. */
  get generation(): number {
    return this.#generation;
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Absolute paths currently watched (manifest, sources, prebuilt objects, headers). */
  get watchedFiles(): string[] {
    return [...new Set([...this.#files.keys(), ...this.#errorFiles.keys()])].sort();
  }

  /** Libraries of the project, in load order. */
  get libraryNames(): string[] {
    return this.project.libraryNames;
  }

  /** The library `name` (throws an OrcJitError naming the known ones). */
  library(name: string): WatchedLibrary {
    this.project.library(name);
    let lib = this.#libraries.get(name);
    if (!lib) this.#libraries.set(name, (lib = new WatchedLibrary(this, name)));
    return lib;
  }

  /**
   * Rebuilds now, without waiting for a file event, after any rebuild in progress: `files`
   * that changed (their libraries are rebuilt), or, without files, re-reads the manifest and
   * rebuilds what changed. Emits `building` and `reload` like a file-triggered rebuild;
   * rejects with the error (no `error` event) when the build fails.
   */
  reload(files?: string[]): Promise<ReloadEvent> {
    if (this.#closed) return Promise.reject(new DisposedError("the watcher has been closed"));
    const changed = (files ?? []).map((f) => path.resolve(this.project.root, f));
    return this.#exclusive(() => this.#rebuild(changed, files === undefined, performance.now(), true)) as Promise<ReloadEvent>;
  }

  /**
   * Stops watching, cancels a build in progress (its result is discarded) and unloads the
   * project. Handles throw DisposedError afterwards. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
    this.#abort?.abort(new DisposedError("the watcher was closed during the build"));
    this.#closing = (async () => {
      await this.#fs?.close();
      this.#fs = undefined;
      // let the build in progress settle; it sees #closed and discards its result
      await this.#lock.catch(() => undefined);
      this.#staged.clear();
      this.#disposeGenerations(this.#retiring.splice(0));
      this.project.dispose();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal Starts the file watcher. */
  async _start(): Promise<void> {
    this.#computeWatchSet();
    if (this.#options.watch === false) return;
    this.#fs = chokidarWatch([], {
      ignoreInitial: true,
      // directories at depth 0: an atomic save (write temp, rename over) replaces the file's
      // inode, which a watch on the file itself would lose
      depth: 0,
      // Without this, chokidar drops a change that follows another change of the same file
      // within 50 ms (no trailing event: the last edit of a quick sequence would be lost).
      // With it, a file's events are held until its size is stable for the debounce period.
      awaitWriteFinish: { stabilityThreshold: this.#debounceMs, pollInterval: Math.max(5, Math.min(25, this.#debounceMs / 4)) },
      usePolling: this.#options.usePolling ?? false,
      ignorePermissionErrors: true,
    });
    this.#fs.on("all", (event, file) => {
      if (DEBUG) process.stderr.write(`[watch] ${event} ${file}\n`);
      if (event === "add" || event === "change" || event === "unlink") this.#onFileEvent(path.resolve(file));
    });
    this.#fs.on("error", (e) => this.#emitError(e instanceof Error ? e : new Error(String(e)), []));
    const ready = new Promise<void>((resolve) => this.#fs!.once("ready", () => resolve()));
    this.#syncDirs();
    await ready;
  }

  /** @internal Returns the (cached) stable handle of `library.name`. */
  _handle(library: string, name: string): StableFunction {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("getFunction(name): 'name' must be a non-empty string");
    const key = `${library}\0${name}`;
    const existing = this.#handles.get(key);
    if (existing) return existing.handle;
    if (this.#closed) throw new DisposedError("the watcher has been closed");
    const impl = this.project.library(library).getFunction(name);
    const state: HandleState = { library, name, impl, handle: undefined as unknown as StableFunction };
    const call = (...args: Parameters<WatchedFunctionImpl>): ReturnType<WatchedFunctionImpl> => {
      const f = state.impl;
      // A call may re-enter JS (a callback from C++); generations retired meanwhile wait
      // until the outermost call returns.
      this.#inFlight++;
      try {
        return f(...args);
      } finally {
        if (--this.#inFlight === 0 && this.#retiring.length > 0) this.#disposeGenerations(this.#retiring.splice(0));
      }
    };
    Object.defineProperties(call, {
      name: { value: name },
      library: { value: library, enumerable: true },
      functionName: { value: name, enumerable: true },
    });
    state.handle = call as StableFunction;
    this.#handles.set(key, state);
    return state.handle;
  }

  // ---- generation hooks (called by the project inside link()) ----

  #verify(fresh: ReadonlyMap<string, Generation>): void {
    this.#staged.clear();
    // Resolve every held handle in the new generation now: this links the code they need
    // (a missing symbol or a link error rejects the generation before it serves anything)
    // and runs its static constructors.
    for (const state of this.#handles.values()) {
      const dylib = fresh.get(state.library);
      if (!dylib) continue;
      try {
        this.#staged.set(state, dylib.getFunction(state.name));
      } catch (e) {
        this.#staged.clear();
        if (e instanceof SymbolNotFoundError) {
          throw new SymbolNotFoundError(
            `the new generation of library '${state.library}' does not export '${state.name}', which a watched handle calls: ${e.message}`,
            { cause: e },
          );
        }
        throw e;
      }
    }
  }

  #retire(old: Generation[]): void {
    // handles switch before the old code goes away
    this.#commit();
    if (this.#inFlight > 0) this.#retiring.push(...old);
    else this.#disposeGenerations(old);
  }

  #commit(): void {
    for (const [state, impl] of this.#staged) state.impl = impl;
    this.#staged.clear();
  }

  /** Dependents first: their destructors may still use what they link against. */
  #disposeGenerations(old: Generation[]): void {
    for (const d of [...old].reverse()) d.dispose();
  }

  // ---- file events → debounced, coalesced rebuilds ----

  #onFileEvent(file: string): void {
    if (this.#closed) return;
    if (file !== this.project.file && !this.#files.has(file) && !this.#errorFiles.has(file)) return;
    this.#pending.add(file);
    this.#pendingSince ??= performance.now();
    if (this.#timer) clearTimeout(this.#timer);
    // awaitWriteFinish already waited for this file to settle; this short window coalesces
    // files saved together (several buffers, a checkout) into one rebuild
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, Math.min(this.#debounceMs, 10));
  }

  #kick(): void {
    if (this.#loopRunning || this.#closed) return;
    this.#loopRunning = true;
    void this.#exclusive(async () => {
      try {
        // edits arriving during a build are coalesced into the next one, after their own quiet period
        while (this.#pending.size > 0 && this.#timer === undefined && !this.#closed) {
          const files = [...this.#pending];
          const since = this.#pendingSince ?? performance.now();
          this.#pending.clear();
          this.#pendingSince = undefined;
          await this.#rebuild(files, false, since, false);
        }
      } finally {
        this.#loopRunning = false;
      }
    });
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** One rebuild. File-triggered rebuilds report errors as events; reload() rejects. */
  async #rebuild(files: string[], everything: boolean, since: number, rethrow: boolean): Promise<ReloadEvent | undefined> {
    if (this.#closed) {
      if (rethrow) throw new DisposedError("the watcher has been closed");
      return undefined;
    }
    const project = this.project;
    const known = new Set(project.libraryNames);
    const affected = new Set<string>();
    let manifest = everything || files.includes(project.file);
    for (const f of files) {
      const libs = this.#files.get(f) ?? this.#errorFiles.get(f);
      if (!libs) continue;
      for (const l of libs) {
        if (known.has(l)) affected.add(l);
        else manifest = true; // a library the manifest no longer has: re-read it
      }
    }
    if (!manifest && affected.size === 0) manifest = files.length > 0;
    const libraries = manifest ? project.libraryNames : project.libraryNames.filter((n) => affected.has(n));
    if (DEBUG) process.stderr.write(`[watch] building ${files.join(" ")} manifest=${manifest}\n`);
    this.emit("building", { changedFiles: files, libraries, manifest });

    const abort = new AbortController();
    this.#abort = abort;
    const buildOptions = { signal: abort.signal, ...(this.#options.onProgress ? { onProgress: this.#options.onProgress } : {}) };
    try {
      const r: ReloadResult = manifest ? await project.reload(buildOptions) : await project.rebuildLibraries(libraries, buildOptions);
      if (this.#closed) return undefined; // close() disposes what was linked
      this.#commit();
      this.#forgetRemovedHandles();
      if (r.relinked.length > 0 || r.removed.length > 0) this.#generation++;
      this.#errorFiles.clear();
      this.#computeWatchSet();
      this.#syncDirs();
      const event: ReloadEvent = {
        libraries: r.relinked,
        added: r.added,
        removed: r.removed,
        changedFiles: files,
        durationMs: performance.now() - since,
        generation: this.#generation,
        build: r.build,
      };
      if (DEBUG) process.stderr.write(`[watch] reload ${r.relinked.join(",")} gen=${this.#generation}\n`);
      this.emit("reload", event);
      return event;
    } catch (e) {
      this.#staged.clear();
      if (this.#closed) {
        if (rethrow) throw new DisposedError("the watcher was closed during the build", { cause: e });
        return undefined;
      }
      // Watch what the diagnostics point at (e.g. a header just included and still broken),
      // so fixing it triggers the next build even though no depfile lists it yet.
      for (const f of errorFiles(e)) {
        if (this.#files.has(f) || f === project.file) continue;
        this.#errorFiles.set(f, new Set(libraries));
      }
      this.#syncDirs();
      const error = e instanceof Error ? e : new OrcJitError("ORCJIT_WATCH", String(e));
      if (DEBUG) process.stderr.write(`[watch] error ${error.message}\n`);
      if (rethrow) throw error;
      this.#emitError(error, files);
      return undefined;
    } finally {
      if (this.#abort === abort) this.#abort = undefined;
    }
  }

  #emitError(error: Error, files: string[]): void {
    const info: WatchErrorInfo = { changedFiles: files, generation: this.#generation };
    if (!this.emit("error", error, info)) {
      process.stderr.write(`orcjit watch: ${error.message} (the previous generation keeps serving)\n`);
    }
  }

  protected override onListenerError(error: unknown, event: keyof WatchEvents): void {
    if (event !== "error" && this.listenerCount("error") > 0) {
      this.emit("error", error instanceof Error ? error : new Error(String(error)), { changedFiles: [], generation: this.#generation });
    } else {
      super.onListenerError(error, event);
    }
  }

  /** Handles of libraries the manifest removed throw from now on. */
  #forgetRemovedHandles(): void {
    const known = new Set(this.project.libraryNames);
    for (const state of this.#handles.values()) {
      if (known.has(state.library)) continue;
      const lib = state.library;
      state.impl = () => {
        throw new DisposedError(`library '${lib}' was removed from ${this.project.file}`);
      };
    }
  }

  // ---- the watched set ----

  #computeWatchSet(): void {
    const files = new Map<string, Set<string>>();
    const add = (file: string, lib?: string): void => {
      const abs = path.resolve(file);
      const set = files.get(abs) ?? new Set<string>();
      if (lib !== undefined) set.add(lib);
      files.set(abs, set);
    };
    const generated = path.join(this.project.root, GENERATED_DIR) + path.sep;
    add(this.project.file);
    for (const config of this.project.manifest.libraries) {
      for (const s of config.sources) add(s.path, config.name);
      for (const o of config.objects) add(o, config.name);
      // headers from the depfiles of the last successful build
      for (const o of this.project.library(config.name).objects) {
        for (const d of o.dependencies) if (!path.resolve(d).startsWith(generated)) add(d, config.name);
      }
    }
    this.#files = files;
  }

  #syncDirs(): void {
    if (!this.#fs) return;
    const dirs = new Set([...this.#files.keys(), ...this.#errorFiles.keys()].map((f) => path.dirname(f)));
    const added = [...dirs].filter((d) => !this.#dirs.has(d));
    const removed = [...this.#dirs].filter((d) => !dirs.has(d));
    if (removed.length > 0) this.#fs.unwatch(removed);
    if (added.length > 0) this.#fs.add(added);
    this.#dirs = dirs;
  }
}

/**
 * Loads a project (a manifest file, or a directory holding orcjit.yaml), builds and links it,
 * and keeps it up to date: every change to the manifest, a source or a header rebuilds and
 * hot-swaps the affected libraries. Rejects if the initial build or link fails.
 *
 *   const w = await watchProject("orcjit.yaml", { debounceMs: 50 });
 *   const scale = w.library("kernels").getFunction("scale"); // always the newest code
 *   w.on("reload", (e) => console.log(e.libraries, e.durationMs));
 *   w.on("error", (e) => console.error(e.message));            // old code keeps serving
 *   await w.close();
 */
export async function watchProject(manifestPath = ".", options: WatchOptions = {}): Promise<ProjectWatcher> {
  // the watcher's own options stay out of the project's (which keeps them for reloads)
  const { debounceMs, watch: _watch, usePolling: _usePolling, onProgress, ...projectOptions } = options;
  if (debounceMs !== undefined && (typeof debounceMs !== "number" || !(debounceMs >= 0))) {
    throw new TypeError("watchProject: 'debounceMs' must be a non-negative number");
  }
  const project = await loadProject(manifestPath, projectOptions);
  let build: ProjectBuildResult;
  try {
    build = await project.build(onProgress ? { onProgress } : {});
    await project.load();
  } catch (e) {
    project.dispose();
    throw e;
  }
  const watcher = new ProjectWatcher(project, build, options);
  try {
    await watcher._start();
  } catch (e) {
    await watcher.close();
    throw e;
  }
  return watcher;
}

// Watch mode: keeps a project loaded, watches the manifest, every source and every header the
// compiler reported (depfiles), and on a change rebuilds and hot-swaps the affected libraries
// through the project layer. Function handles obtained here are stable: they always call the
// newest generation. Drives src/project only; never touches src/jit.
import { existsSync } from "node:fs";
import { statDir, statFile } from "../util/stamp.js";
import * as path from "node:path";
import type { FSWatcher } from "chokidar";
import { CompileError, DisposedError, ManifestError, NativeCrashError, OrcJitError, SymbolNotFoundError } from "../errors.js";
import {
  GENERATED_DIR,
  inManifestTerms,
  loadProject,
  type GenerationHooks,
  type LoadProjectOptions,
  type Project,
  type ProjectBuildProgress,
  type ProjectBuildResult,
  type ReloadResult,
} from "../project/index.js";
import { resolveManifestPath } from "../manifest/index.js";
import { formatDiagnostic } from "../types.js";
import { TypedEmitter } from "./emitter.js";
import { attachAsync, type AsyncCalls } from "../values/async.js";
import type { FFIFunction } from "../values/types.js";
import { checkOptions, optionKeys } from "../util/options.js";

const DEBUG = process.env.ORCJIT_WATCH_DEBUG !== undefined && process.env.ORCJIT_WATCH_DEBUG !== "" && process.env.ORCJIT_WATCH_DEBUG !== "0";

/** A JIT function as the project layer returns it. */
export type WatchedFunctionImpl = FFIFunction;
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
  /**
   * When the first build fails (compile, link or manifest error): resolve anyway, keep
   * watching, and do the first load on the next good edit (default false: reject). Until then
   * `loaded` is false, handles throw ORCJIT_NOT_LOADED and `project` / `initialBuild` throw.
   * A manifest path that does not exist still rejects.
   */
  waitForFix?: boolean;
  /** Recompile every source, ignoring the cache, until the first successful load. */
  force?: boolean;
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
  /** The generation that keeps serving calls (0: nothing is loaded yet, see `waitForFix`). */
  generation: number;
}

export type WatchEvents = {
  building: [BuildingEvent];
  reload: [ReloadEvent];
  /** CompileError (diagnostics), ManifestError (diagnostics), LinkError, SymbolNotFoundError, ...: the previous generation keeps serving. */
  error: [Error, WatchErrorInfo];
};

/** A function handle that always calls the newest generation of its library. */
export type StableFunction = WatchedFunctionImpl & AsyncCalls<WatchedFunctionImpl> & {
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

  /** How many times this library has been linked (0 before the first load). */
  get generation(): number {
    return this.watcher.loaded ? this.watcher.project.library(this.name).generation : 0;
  }

  /**
   * A stable handle on the exported function `name`: it calls the newest generation. While
   * a handle exists, a new generation that does not export the function is rejected (the
   * old one keeps serving). Throws SymbolNotFoundError if the current generation lacks it.
   * Before the first load (`waitForFix`) the handle is returned unchecked and throws
   * ORCJIT_NOT_LOADED when called; the first load requires its function.
   */
  getFunction(name: string): StableFunction {
    return this.watcher._handle(this.name, name);
  }
}

function errorFiles(e: unknown): string[] {
  if (!(e instanceof CompileError) && !(e instanceof ManifestError)) return [];
  return e.diagnostics.flatMap((d) => (d.location && path.isAbsolute(d.location.file) ? [path.resolve(d.location.file)] : []));
}

function notLoaded(startupError: Error | undefined): OrcJitError {
  const first =
    startupError instanceof CompileError || startupError instanceof ManifestError
      ? startupError.diagnostics.find((d) => d.severity === "error") ?? startupError.diagnostics[0]
      : undefined;
  const why = first ? formatDiagnostic(first) : (startupError?.message ?? "the first build has not finished");
  return new OrcJitError("ORCJIT_NOT_LOADED", `project not loaded yet: ${why}`, startupError ? { cause: startupError } : undefined);
}

export class ProjectWatcher extends TypedEmitter<WatchEvents> {
  /** Absolute path of the manifest. */
  readonly manifestFile: string;
  #project: Project | undefined;
  #initialBuild: ProjectBuildResult | undefined;
  /** Error of the last failed attempt at the first load. */
  #startupError: Error | undefined;
  #generation = 0;
  readonly #options: WatchOptions;
  readonly #projectOptions: LoadProjectOptions;
  readonly #debounceMs: number;
  #fs: FSWatcher | undefined;
  /** Watched file → libraries depending on it (the manifest maps to none: it means "all"). */
  #files = new Map<string, Set<string>>();
  #dirs = new Set<string>();
  /** Identity of each watched directory when its watch was set ("": missing), see dirId. */
  #dirInodes = new Map<string, string>();
  /**
   * While not loaded: the include directories of the parsed manifest, watched ahead of the
   * depfiles, so a header edited right after the first load is not missed while chokidar
   * starts watching its directory.
   */
  #includeDirs = new Set<string>();
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
  /**
   * Set when inputs may have changed without a file event reaching us: edits during the first
   * build (before the file watcher ran) or to files first watched after a build. The next idle
   * moment runs a check: every library is looked up in the cache by content and whatever
   * changed is rebuilt (see #check).
   */
  #checkDue = false;
  /** Date.now() when the build whose result is serving started (for naming what changed during it). */
  #builtFrom = 0;
  /** Date.now() when the last attempt at the first load started. */
  #attemptFrom = 0;
  /** The manifest's stat taken before the last first-load attempt read it. */
  #manifestStat: { mtimeMs: number; ctimeMs: number; size: number; ino: number } | undefined;

  /** @internal Use watchProject(). */
  constructor(manifestFile: string, options: WatchOptions, projectOptions: LoadProjectOptions) {
    super();
    this.manifestFile = manifestFile;
    this.#options = options;
    this.#projectOptions = projectOptions;
    this.#debounceMs = options.debounceMs ?? 50;
  }

  /** The project being served (its manifest and configuration follow reloads); throws ORCJIT_NOT_LOADED before the first load. */
  get project(): Project {
    if (!this.#project) throw notLoaded(this.#startupError);
    return this.#project;
  }

  /** The build of the first load (compiled vs cached counts); throws ORCJIT_NOT_LOADED before it. */
  get initialBuild(): ProjectBuildResult {
    if (!this.#initialBuild) throw notLoaded(this.#startupError);
    return this.#initialBuild;
  }

  /** False only while waiting for a fix after a failed first build (`waitForFix`). */
  get loaded(): boolean {
    return this.#project !== undefined;
  }

  /** While not loaded: the error of the last failed attempt at the first load. */
  get startupError(): Error | undefined {
    return this.#project ? undefined : this.#startupError;
  }

  /** 0 before the first load, 1 after it, +1 per successful reload that linked something. */
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

  /** Libraries of the project, in load order (none before the first load). */
  get libraryNames(): string[] {
    return this.#project?.libraryNames ?? [];
  }

  /** The library `name` (throws an OrcJitError naming the known ones; unchecked before the first load). */
  library(name: string): WatchedLibrary {
    this.#project?.library(name);
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
    const changed = (files ?? []).map((f) => path.resolve(path.dirname(this.manifestFile), f));
    return this.#exclusive(() =>
      this.#project ? this.#rebuild(changed, files === undefined, performance.now(), true) : this.#firstLoad(changed, performance.now(), true),
    ) as Promise<ReloadEvent>;
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
      this.#project?.dispose();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal Starts the file watcher. */
  async _start(): Promise<void> {
    if (this.#project) this.#computeWatchSet(this.#project);
    if (this.#options.watch === false) return;
    // Loaded here, not at import: only watch mode needs it (start-up time of the package).
    const { watch: chokidarWatch } = await import("chokidar");
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
      this.#revalidateDirs();
    });
    this.#fs.on("error", (e) => this.#emitError(e instanceof Error ? e : new Error(String(e)), []));
    const ready = new Promise<void>((resolve) => this.#fs!.once("ready", () => resolve()));
    this.#syncDirs();
    await ready;
    // An edit made during the first build had no watcher to see it: look for one now that
    // every later edit gives an event (before watchProject resolves, so that the caller's
    // own edits afterwards are plain events).
    // A manifest edited during the first build (its stat is not the one taken before it was
    // read), or (not loaded) a file the failed attempt read or pointed at, written since the
    // attempt started (no slack here: a false alarm would re-run a failed build): as if its
    // event had come. Otherwise a check of the sources and headers.
    const st = statFile(this.manifestFile);
    const manifestMoved = st === undefined || st.mtimeMs !== this.#manifestStat?.mtimeMs || st.ctimeMs !== this.#manifestStat.ctimeMs || st.size !== this.#manifestStat.size || st.ino !== this.#manifestStat.ino;
    if (this.#project && !manifestMoved) await this.#exclusive(() => this.#check());
    else if (this.#project) this.#onFileEvent(this.manifestFile);
    else for (const f of this.#modifiedSince(this.#attemptFrom, this.watchedFiles, 0)) this.#onFileEvent(f);
  }

  /**
   * Those of `files` modified at or after `sinceMs` - `slackMs` (default 10 ms: file times come
   * from the kernel's coarse clock, which lags the wall clock by a few ms).
   */
  #modifiedSince(sinceMs: number, files: Iterable<string>, slackMs = 10): string[] {
    const out: string[] = [];
    for (const f of files) {
      const st = statFile(f);
      if (st && Math.max(st.mtimeMs, st.ctimeMs) >= sinceMs - slackMs) out.push(f);
    }
    return out.sort();
  }

  /**
   * Rebuilds what changed since the serving build started, when a file it is built from was
   * modified since then (by mtime/ctime; the rebuild itself compares contents). Silent when
   * nothing changed.
   */
  async #check(): Promise<void> {
    if (this.#closed || !this.#project) return;
    if (this.#changedSince(this.#builtFrom, this.#project.libraryNames).length === 0) return;
    await this.#rebuild([], false, performance.now(), false, true);
  }

  /** @internal Returns the (cached) stable handle of `library.name`. */
  _handle(library: string, name: string): StableFunction {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("getFunction(name): 'name' must be a non-empty string");
    const key = `${library}\0${name}`;
    const existing = this.#handles.get(key);
    if (existing) return existing.handle;
    if (this.#closed) throw new DisposedError("the watcher has been closed");
    // before the first load: resolved (and required) by the first load's #verify
    const impl = this.#project ? this.#project.library(library).getFunction(name) : (): never => {
      throw notLoaded(this.#startupError);
    };
    const state: HandleState = { library, name, impl, handle: undefined as unknown as StableFunction };
    const call = (...args: Parameters<WatchedFunctionImpl>): ReturnType<WatchedFunctionImpl> => {
      const f = state.impl;
      // A call may re-enter JS (a callback from C++); generations retired meanwhile wait
      // until the outermost call returns.
      this.#inFlight++;
      try {
        return f(...args);
      } catch (e) {
        // [i15] A contained kernel crash (docs/debugging.md) is also a watch error: the
        // watcher keeps running and the next good edit loads a fresh generation.
        if (e instanceof NativeCrashError && e.signal !== undefined) this.#emitError(e, []);
        throw e;
      } finally {
        if (--this.#inFlight === 0 && this.#retiring.length > 0) this.#disposeGenerations(this.#retiring.splice(0));
      }
    };
    Object.defineProperties(call, {
      name: { value: name },
      library: { value: library, enumerable: true },
      functionName: { value: name, enumerable: true },
    });
    // [i16] handle.async calls the newest generation; before the first load it rejects like a call throws
    attachAsync(call, () => ("async" in state.impl ? state.impl : (state.impl(), state.impl)));
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
        throw inManifestTerms(e, state.library, this.manifestFile);
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

  /**
   * Re-watches watched directories that are not the directory their watch was set on: one
   * moved away and back, or deleted and recreated (git checkout, git stash), is a new inode
   * that no watch covers, and its files' later edits would never give an event. Called on
   * every file-system event (the parents up to the project root are watched for this) and
   * after every build; a stat per watched directory. Every watched file in a re-watched
   * directory counts as changed: what came back may differ from what left.
   */
  #revalidateDirs(): void {
    if (this.#closed || !this.#fs) return;
    const again: string[] = [];
    for (const [dir, ino] of this.#dirInodes) {
      const now = dirId(dir);
      if (now === ino) continue;
      this.#dirInodes.set(dir, now);
      if (now !== "") again.push(dir);
    }
    if (again.length === 0) return;
    if (DEBUG) process.stderr.write(`[watch] directory replaced: ${again.join(" ")}\n`);
    this.#fs.unwatch(again);
    this.#fs.add(again);
    const inAgain = new Set(again);
    for (const f of [...this.#files.keys(), ...this.#errorFiles.keys()]) if (inAgain.has(path.dirname(f)) && existsSync(f)) this.#onFileEvent(f);
  }

  #onFileEvent(file: string): void {
    if (this.#closed) return;
    if (file !== this.manifestFile && !this.#files.has(file) && !this.#errorFiles.has(file)) return;
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
        for (;;) {
          if (this.#closed) break;
          if (this.#pending.size > 0 && this.#timer === undefined) {
            const files = [...this.#pending];
            const since = this.#pendingSince ?? performance.now();
            this.#pending.clear();
            this.#pendingSince = undefined;
            // a rebuild looks at every library's inputs: it covers a due check
            if (this.#project) this.#checkDue = false;
            if (this.#project) await this.#rebuild(files, false, since, false);
            else await this.#firstLoad(files, since, false);
          } else if (this.#checkDue && this.#pending.size === 0 && this.#project) {
            this.#checkDue = false;
            await this.#check();
          } else break;
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
  async #rebuild(files: string[], everything: boolean, since: number, rethrow: boolean, check = false): Promise<ReloadEvent | undefined> {
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
    if (DEBUG) process.stderr.write(`[watch] ${check ? "checking" : "building"} ${files.join(" ")} manifest=${manifest}\n`);
    // a check announces itself only when it found something to rebuild
    if (!check) this.emit("building", { changedFiles: files, libraries, manifest });

    const abort = new AbortController();
    this.#abort = abort;
    const buildOptions = { signal: abort.signal, settle: true, ...(this.#options.onProgress ? { onProgress: this.#options.onProgress } : {}) };
    const startedAt = Date.now();
    try {
      // Every library is looked up by content, not only the ones the events name: a header
      // whose event was missed (or is still on its way) is rebuilt in every library that
      // includes it, in this same generation.
      const r: ReloadResult = manifest ? await project.reload(buildOptions) : await project.refresh(libraries, buildOptions);
      if (this.#closed) return undefined; // close() disposes what was linked
      if (check) {
        const changed = (r as ReloadResult & { changed?: string[] }).changed ?? [];
        if (r.relinked.length === 0) return undefined;
        files = this.#changedSince(this.#builtFrom, changed);
        this.emit("building", { changedFiles: files, libraries: changed, manifest: false });
      }
      this.#builtFrom = startedAt;
      this.#commit();
      this.#forgetRemovedHandles();
      if (r.relinked.length > 0 || r.removed.length > 0) this.#generation++;
      this.#errorFiles.clear();
      if (this.#computeWatchSet(project)) {
        this.#checkDue = true;
        this.#kick();
      }
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

  /**
   * The first load: reads the manifest, builds and links everything. `initial` (inside
   * watchProject): no events; the caller decides whether to wait. Later attempts (any change
   * while waiting) emit building / reload (generation 1) / error like a rebuild.
   */
  async _firstLoad(initial: boolean): Promise<void> {
    await this.#exclusive(() => this.#firstLoad([], performance.now(), true, initial));
  }

  async #firstLoad(files: string[], since: number, rethrow: boolean, initial = false): Promise<ReloadEvent | undefined> {
    if (this.#closed) {
      if (rethrow) throw new DisposedError("the watcher has been closed");
      return undefined;
    }
    if (!initial) this.emit("building", { changedFiles: files, libraries: [], manifest: true });
    const abort = new AbortController();
    this.#abort = abort;
    let candidate: Project | undefined;
    const startedAt = Date.now();
    this.#attemptFrom = startedAt;
    this.#manifestStat = statFile(this.manifestFile);
    try {
      candidate = await loadProject(this.manifestFile, this.#projectOptions);
      candidate.hooks = { verify: (fresh) => this.#verify(fresh), retire: (old) => this.#retire(old) };
      const { onProgress, force } = this.#options;
      const build = await candidate.build({ signal: abort.signal, settle: true, ...(onProgress ? { onProgress } : {}), ...(force ? { force } : {}) });
      if (this.#closed) throw new DisposedError("the watcher was closed during the build");
      await candidate.load();
      if (this.#closed) throw new DisposedError("the watcher was closed during the build");
      this.#commit();
      this.#project = candidate;
      this.#initialBuild = build;
      this.#startupError = undefined;
      this.#generation = 1;
      this.#builtFrom = startedAt;
      // handles on libraries the manifest does not have
      for (const state of this.#handles.values()) {
        if (candidate.libraryNames.includes(state.library)) continue;
        const message = `no library '${state.library}' in ${this.manifestFile}; libraries: ${candidate.libraryNames.join(", ")}`;
        state.impl = (): never => {
          throw new OrcJitError("ORCJIT_UNKNOWN_LIBRARY", message);
        };
      }
      this.#errorFiles.clear();
      this.#computeWatchSet(candidate);
      this.#syncDirs();
      // (the initial load's check runs once the file watcher is ready, see _start)
      if (initial) return undefined;
      this.#checkDue = true;
      this.#kick();
      const event: ReloadEvent = {
        libraries: candidate.libraryNames,
        added: [],
        removed: [],
        changedFiles: files,
        durationMs: performance.now() - since,
        generation: 1,
        build,
      };
      if (DEBUG) process.stderr.write(`[watch] first load gen=1\n`);
      this.emit("reload", event);
      return event;
    } catch (e) {
      this.#staged.clear();
      candidate?.dispose();
      if (this.#closed) {
        if (rethrow) throw new DisposedError("the watcher was closed during the build", { cause: e });
        return undefined;
      }
      const error = e instanceof Error ? e : new OrcJitError("ORCJIT_WATCH", String(e));
      this.#startupError = error;
      // watch the manifest, its sources (if it parsed) and what the diagnostics point at
      this.#computeWatchSet(candidate);
      for (const f of errorFiles(e)) if (!this.#files.has(f)) this.#errorFiles.set(f, new Set());
      this.#syncDirs();
      if (DEBUG) process.stderr.write(`[watch] first load failed: ${error.message}\n`);
      if (rethrow) throw error;
      this.#emitError(error, files);
      return undefined;
    } finally {
      if (this.#abort === abort) this.#abort = undefined;
    }
  }

  /** @internal Emits the error of the failed initial attempt (after watchProject resolved). */
  _emitStartupError(): void {
    if (!this.#closed && !this.#project && this.#startupError) this.#emitError(this.#startupError, []);
  }

  #emitError(error: Error, files: string[]): void {
    const info: WatchErrorInfo = { changedFiles: files, generation: this.#generation };
    if (!this.emit("error", error, info)) {
      const after = this.#project ? "the previous generation keeps serving" : "waiting for a fix";
      process.stderr.write(`orcjit watch: ${error.message} (${after})\n`);
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

  /**
   * Of the files `libraries` are built from, those modified since `sinceMs` (what changed
   * while the previous build ran, for the events of a check). Empty when none can be named.
   */
  #changedSince(sinceMs: number, libraries: string[]): string[] {
    const libs = new Set(libraries);
    return this.#modifiedSince(sinceMs, [...this.#files].flatMap(([file, users]) => ([...users].some((l) => libs.has(l)) ? [file] : [])));
  }

  /**
   * The manifest, and what `project` (if the manifest parsed) is built from. Returns true when
   * that added files which were not watched before (their edits until now may have no event).
   */
  #computeWatchSet(project: Project | undefined): boolean {
    const files = new Map<string, Set<string>>();
    const add = (file: string, lib?: string): void => {
      const abs = path.resolve(file);
      const set = files.get(abs) ?? new Set<string>();
      if (lib !== undefined) set.add(lib);
      files.set(abs, set);
    };
    add(this.manifestFile);
    if (!project) {
      this.#includeDirs = new Set();
      this.#files = files;
      return false;
    }
    const generated = path.join(project.root, GENERATED_DIR) + path.sep;
    this.#includeDirs = new Set(this.#project ? [] : project.manifest.libraries.flatMap((c) => c.sources.flatMap((s) => s.includeDirs)));
    for (const config of project.manifest.libraries) {
      for (const s of config.sources) add(s.path, config.name);
      for (const o of config.objects) add(o, config.name);
      // headers from the depfiles of the last successful build
      for (const o of project.library(config.name).objects) {
        for (const d of o.dependencies) if (!path.resolve(d).startsWith(generated)) add(d, config.name);
      }
    }
    const grew = [...files.keys()].some((f) => !this.#files.has(f));
    this.#files = files;
    return grew;
  }

  #syncDirs(): void {
    if (!this.#fs) return;
    const dirs = new Set([...[...this.#files.keys(), ...this.#errorFiles.keys()].map((f) => path.dirname(f)), ...this.#includeDirs]);
    // A directory moved away and back, or deleted and recreated (git checkout, git stash), is
    // a new directory that no watch covers: watching its parents (up to the project root) is
    // what tells us it is back (an addDir event, see #onDirBack).
    const root = path.dirname(this.manifestFile);
    for (const d of [...dirs]) {
      for (let p = path.dirname(d); isInside(root, p) && !dirs.has(p); p = path.dirname(p)) dirs.add(p);
    }
    const added = [...dirs].filter((d) => !this.#dirs.has(d));
    const removed = [...this.#dirs].filter((d) => !dirs.has(d));
    if (removed.length > 0) this.#fs.unwatch(removed);
    if (added.length > 0) this.#fs.add(added);
    for (const d of removed) this.#dirInodes.delete(d);
    for (const d of added) this.#dirInodes.set(d, dirId(d));
    this.#dirs = dirs;
    this.#revalidateDirs();
  }
}

/**
 * Which directory is at `dir` ("" when none): the inode and the birth time (a directory
 * deleted and recreated at once often gets the same inode number back).
 */
function dirId(dir: string): string {
  const st = statDir(dir);
  return st ? `${st.ino}:${st.birthtimeMs}` : "";
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

const WATCH_OPTION_KEYS = optionKeys<WatchOptions>({ profile: true, allowOutsideRoot: true, displayPath: true, env: true, cacheDir: true, jobs: true, compiler: true, verbose: true, launcher: true, pch: true, debounceMs: true, watch: true, usePolling: true, onProgress: true, waitForFix: true, force: true });

/**
 * Loads a project (a manifest file, or a directory holding orcjit.yaml), builds and links it,
 * and keeps it up to date: every change to the manifest, a source or a header rebuilds and
 * hot-swaps the affected libraries. Rejects if the initial build or link fails, unless
 * `waitForFix`: then it resolves unloaded, emits that `error` right after resolving, and
 * the first good edit loads the project (a `reload` event with generation 1).
 *
 *   const w = await watchProject("orcjit.yaml", { debounceMs: 50 });
 *   const scale = w.library("kernels").getFunction("scale"); // always the newest code
 *   w.on("reload", (e) => console.log(e.libraries, e.durationMs));
 *   w.on("error", (e) => console.error(e.message));            // old code keeps serving
 *   await w.close();
 */
export async function watchProject(manifestPath = ".", options: WatchOptions = {}): Promise<ProjectWatcher> {
  checkOptions("watchProject(manifestPath, options)", options, WATCH_OPTION_KEYS);
  // the watcher's own options stay out of the project's (which keeps them for reloads)
  const { debounceMs, watch: _watch, usePolling: _usePolling, onProgress: _onProgress, waitForFix, force: _force, ...projectOptions } = options;
  if (debounceMs !== undefined && (typeof debounceMs !== "number" || !(debounceMs >= 0))) {
    throw new TypeError("watchProject: 'debounceMs' must be a non-negative number");
  }
  const manifestFile = resolveManifestPath(manifestPath);
  const watcher = new ProjectWatcher(manifestFile, options, projectOptions);
  try {
    await watcher._firstLoad(true);
  } catch (e) {
    // a missing manifest is a wrong path, not a broken project
    if (waitForFix !== true || !existsSync(manifestFile)) {
      await watcher.close();
      throw e;
    }
  }
  try {
    await watcher._start();
  } catch (e) {
    await watcher.close();
    throw e;
  }
  // after the caller's `await` resumed (and attached its listeners)
  if (!watcher.loaded) setImmediate(() => watcher._emitStartupError());
  return watcher;
}

// Watch mode: keeps a project loaded, watches the manifest, every source and every header the
// compiler reported (depfiles), and on a change rebuilds and hot-swaps the affected libraries
// through the project layer (Project.reload / refresh, which swap generations). Function
// handles obtained here are stable: they always call the newest generation. Drives src/project
// only; never touches src/jit. The parts: what is watched (watch-set.ts), when builds run
// (schedule.ts), the handles (handles.ts), the event types (events.ts).
import { existsSync } from "node:fs";
import * as path from "node:path";
import { CompileError, DisposedError, ManifestError, OrcJitError } from "../errors.js";
import {
  loadProject,
  type LoadProjectOptions,
  type Project,
  type ProjectBuildProgress,
  type ProjectBuildResult,
  type ReloadResult,
  type StableFunction,
} from "../project/index.js";
import { resolveManifestPath } from "../manifest/index.js";
import { formatDiagnostic } from "../types.js";
import { statFile } from "../util/stamp.js";
import { checkOptions, optionKeys } from "../util/options.js";
import { TypedEmitter } from "./emitter.js";
import type { ReloadEvent, WatchErrorInfo, WatchEvents } from "./events.js";
import { WatchedLibrary, WatchHandles } from "./handles.js";
import { RebuildScheduler } from "./schedule.js";
import { modifiedSince, WatchSet } from "./watch-set.js";
import { trace } from "./debug.js";

export type { BuildingEvent, ReloadEvent, WatchErrorInfo, WatchEvents } from "./events.js";
export type { StableFunction } from "../project/index.js";
export { WatchedLibrary } from "./handles.js";

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
  readonly #watchSet: WatchSet;
  readonly #schedule: RebuildScheduler;
  readonly #handles: WatchHandles;
  #abort: AbortController | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #libraries = new Map<string, WatchedLibrary>();
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
    this.#watchSet = new WatchSet(manifestFile, (f) => this.#onFileEvent(f), (e) => this.#emitError(e, []));
    this.#schedule = new RebuildScheduler(this.#debounceMs, {
      build: (files, since) => (this.#project ? this.#rebuild(files, false, since, false) : this.#firstLoad(files, since, false)),
      check: () => this.#check(),
      canCheck: () => this.#project !== undefined,
    });
    this.#handles = new WatchHandles(
      () => notLoaded(this.#startupError),
      (e) => this.#emitError(e, []),
    );
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
    return this.#watchSet.files;
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
    return this.#schedule.exclusive(() =>
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
    this.#schedule.stop();
    this.#abort?.abort(new DisposedError("the watcher was closed during the build"));
    this.#closing = (async () => {
      await this.#watchSet.close();
      // let the build in progress settle; it sees #closed and discards its result
      await this.#schedule.idle();
      this.#project?.dispose();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal Starts the file watcher. */
  async _start(): Promise<void> {
    if (this.#project) this.#watchSet.compute(this.#project, true);
    if (this.#options.watch === false) return;
    await this.#watchSet.start({ debounceMs: this.#debounceMs, usePolling: this.#options.usePolling ?? false });
    // An edit made during the first build had no watcher to see it: look for one now that
    // every later edit gives an event (before watchProject resolves, so that the caller's
    // own edits afterwards are plain events).
    // A manifest edited during the first build (its stat is not the one taken before it was
    // read), or (not loaded) a file the failed attempt read or pointed at, written since the
    // attempt started (no slack here: a false alarm would re-run a failed build): as if its
    // event had come. Otherwise a check of the sources and headers.
    const st = statFile(this.manifestFile);
    const manifestMoved = st === undefined || st.mtimeMs !== this.#manifestStat?.mtimeMs || st.ctimeMs !== this.#manifestStat.ctimeMs || st.size !== this.#manifestStat.size || st.ino !== this.#manifestStat.ino;
    if (this.#project && !manifestMoved) await this.#schedule.exclusive(() => this.#check());
    else if (this.#project) this.#onFileEvent(this.manifestFile);
    else for (const f of modifiedSince(this.#attemptFrom, this.watchedFiles, 0)) this.#onFileEvent(f);
  }

  /**
   * Rebuilds what changed since the serving build started, when a file it is built from was
   * modified since then (by mtime/ctime; the rebuild itself compares contents). Silent when
   * nothing changed.
   */
  async #check(): Promise<void> {
    if (this.#closed || !this.#project) return;
    if (this.#watchSet.changedSince(this.#builtFrom, this.#project.libraryNames).length === 0) return;
    await this.#rebuild([], false, performance.now(), false, true);
  }

  /** @internal Returns the (cached) stable handle of `library.name`. */
  _handle(library: string, name: string): StableFunction {
    if (this.#closed) throw new DisposedError("the watcher has been closed");
    return this.#handles.get(library, name, this.#project);
  }

  #onFileEvent(file: string): void {
    if (this.#closed || !this.#watchSet.has(file)) return;
    this.#schedule.fileChanged(file);
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
      const libs = this.#watchSet.librariesOf(f);
      if (!libs) continue;
      for (const l of libs) {
        if (known.has(l)) affected.add(l);
        else manifest = true; // a library the manifest no longer has: re-read it
      }
    }
    if (!manifest && affected.size === 0) manifest = files.length > 0;
    const libraries = manifest ? project.libraryNames : project.libraryNames.filter((n) => affected.has(n));
    trace(() => `${check ? "checking" : "building"} ${files.join(" ")} manifest=${manifest}`);
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
        files = this.#watchSet.changedSince(this.#builtFrom, changed);
        this.emit("building", { changedFiles: files, libraries: changed, manifest: false });
      }
      this.#builtFrom = startedAt;
      if (r.added.length > 0) this.#handles.adopt(project);
      if (r.relinked.length > 0 || r.removed.length > 0) this.#generation++;
      this.#watchSet.clearErrorFiles();
      if (this.#watchSet.compute(project, true)) this.#schedule.checkSoon();
      this.#watchSet.sync();
      const event: ReloadEvent = {
        libraries: r.relinked,
        added: r.added,
        removed: r.removed,
        changedFiles: files,
        durationMs: performance.now() - since,
        generation: this.#generation,
        build: r.build,
      };
      trace(() => `reload ${r.relinked.join(",")} gen=${this.#generation}`);
      this.emit("reload", event);
      return event;
    } catch (e) {
      if (this.#closed) {
        if (rethrow) throw new DisposedError("the watcher was closed during the build", { cause: e });
        return undefined;
      }
      // Watch what the diagnostics point at (e.g. a header just included and still broken),
      // so fixing it triggers the next build even though no depfile lists it yet.
      this.#watchSet.addErrorFiles(e, libraries, project.file);
      this.#watchSet.sync();
      const error = e instanceof Error ? e : new OrcJitError("ORCJIT_WATCH", String(e));
      trace(() => `error ${error.message}`);
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
    await this.#schedule.exclusive(() => this.#firstLoad([], performance.now(), true, initial));
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
      const { onProgress, force } = this.#options;
      const build = await candidate.build({ signal: abort.signal, settle: true, ...(onProgress ? { onProgress } : {}), ...(force ? { force } : {}) });
      if (this.#closed) throw new DisposedError("the watcher was closed during the build");
      await candidate.load();
      if (this.#closed) throw new DisposedError("the watcher was closed during the build");
      // handles taken while waiting now call the project's (each function is required)
      this.#handles.attach(candidate);
      this.#project = candidate;
      this.#initialBuild = build;
      this.#startupError = undefined;
      this.#generation = 1;
      this.#builtFrom = startedAt;
      this.#watchSet.clearErrorFiles();
      this.#watchSet.compute(candidate, true);
      this.#watchSet.sync();
      // (the initial load's check runs once the file watcher is ready, see _start)
      if (initial) return undefined;
      this.#schedule.checkSoon();
      const event: ReloadEvent = {
        libraries: candidate.libraryNames,
        added: [],
        removed: [],
        changedFiles: files,
        durationMs: performance.now() - since,
        generation: 1,
        build,
      };
      trace(() => `first load gen=1`);
      this.emit("reload", event);
      return event;
    } catch (e) {
      candidate?.dispose();
      if (this.#closed) {
        if (rethrow) throw new DisposedError("the watcher was closed during the build", { cause: e });
        return undefined;
      }
      const error = e instanceof Error ? e : new OrcJitError("ORCJIT_WATCH", String(e));
      this.#startupError = error;
      // watch the manifest, its sources (if it parsed) and what the diagnostics point at
      this.#watchSet.compute(candidate, false);
      this.#watchSet.addErrorFiles(e, []);
      this.#watchSet.sync();
      trace(() => `first load failed: ${error.message}`);
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

// What the watcher watches: the manifest; every source, prebuilt object and (from the depfiles
// of the last good build) header, each mapped to the libraries built from it; the files that
// diagnostics of a failed build point at; and their directories through chokidar — with the
// parents up to the project root, which is how a directory replaced by `git checkout` or
// `git stash` is noticed.
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { FSWatcher } from "chokidar";
import { CompileError, ManifestError } from "../errors.js";
import { GENERATED_DIR, type Project } from "../project/index.js";
import { statDir, statFile } from "../util/stamp.js";
import { trace } from "./debug.js";

export interface WatchSetOptions {
  /** chokidar's awaitWriteFinish period. */
  debounceMs: number;
  usePolling: boolean;
}

export class WatchSet {
  /** Watched file → libraries depending on it (the manifest maps to none: it means "all"). */
  #files = new Map<string, Set<string>>();
  /** Files named by diagnostics of a failed build (e.g. a broken, newly included header). */
  #errorFiles = new Map<string, Set<string>>();
  #dirs = new Set<string>();
  /** Identity of each watched directory when its watch was set ("": missing), see dirId. */
  #dirInodes = new Map<string, string>();
  /**
   * While not loaded: the include directories of the parsed manifest, watched ahead of the
   * depfiles, so a header edited right after the first load is not missed while chokidar
   * starts watching its directory.
   */
  #includeDirs = new Set<string>();
  #fs: FSWatcher | undefined;

  constructor(
    readonly manifestFile: string,
    /** A watched file (or one in a replaced directory) was added, changed or removed. */
    private readonly onChange: (file: string) => void,
    private readonly onError: (e: Error) => void,
  ) {}

  /** Absolute paths currently watched (manifest, sources, prebuilt objects, headers, error files). */
  get files(): string[] {
    return [...new Set([...this.#files.keys(), ...this.#errorFiles.keys()])].sort();
  }

  /** True for the manifest and every watched file. */
  has(file: string): boolean {
    return file === this.manifestFile || this.#files.has(file) || this.#errorFiles.has(file);
  }

  /** The libraries built from `file` (none for the manifest; undefined when not watched). */
  librariesOf(file: string): ReadonlySet<string> | undefined {
    return this.#files.get(file) ?? this.#errorFiles.get(file);
  }

  /** Starts chokidar on the directories of the watched files. */
  async start(options: WatchSetOptions): Promise<void> {
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
      awaitWriteFinish: { stabilityThreshold: options.debounceMs, pollInterval: Math.max(5, Math.min(25, options.debounceMs / 4)) },
      usePolling: options.usePolling,
      ignorePermissionErrors: true,
    });
    this.#fs.on("all", (event, file) => {
      trace(() => `${event} ${file}`);
      if (event === "add" || event === "change" || event === "unlink") this.onChange(path.resolve(file));
      this.revalidate();
    });
    this.#fs.on("error", (e) => this.onError(e instanceof Error ? e : new Error(String(e))));
    const ready = new Promise<void>((resolve) => this.#fs!.once("ready", () => resolve()));
    this.sync();
    await ready;
  }

  async close(): Promise<void> {
    const fs = this.#fs;
    this.#fs = undefined;
    await fs?.close();
  }

  /**
   * The manifest, and what `project` (if the manifest parsed) is built from; `loaded` says
   * whether `project` is the one serving (else its include directories are watched too).
   * Returns true when that added files which were not watched before (their edits until now
   * may have no event).
   */
  compute(project: Project | undefined, loaded: boolean): boolean {
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
    this.#includeDirs = new Set(loaded ? [] : project.manifest.libraries.flatMap((c) => c.sources.flatMap((s) => s.includeDirs)));
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

  /** Watches what the diagnostics of build error `e` point at (a header just included and still broken), for `libraries`. */
  addErrorFiles(e: unknown, libraries: string[], skip?: string): void {
    for (const f of errorFiles(e)) {
      if (this.#files.has(f) || f === skip) continue;
      this.#errorFiles.set(f, new Set(libraries));
    }
  }

  clearErrorFiles(): void {
    this.#errorFiles.clear();
  }

  /**
   * Of the files `libraries` are built from, those modified since `sinceMs` (what changed
   * while the previous build ran, for the events of a check). Empty when none can be named.
   */
  changedSince(sinceMs: number, libraries: string[]): string[] {
    const libs = new Set(libraries);
    return modifiedSince(sinceMs, [...this.#files].flatMap(([file, users]) => ([...users].some((l) => libs.has(l)) ? [file] : [])));
  }

  /** Makes chokidar watch exactly the directories of the watched files (and their parents up to the root). */
  sync(): void {
    if (!this.#fs) return;
    const dirs = new Set([...[...this.#files.keys(), ...this.#errorFiles.keys()].map((f) => path.dirname(f)), ...this.#includeDirs]);
    // A directory moved away and back, or deleted and recreated (git checkout, git stash), is
    // a new directory that no watch covers: watching its parents (up to the project root) is
    // what tells us it is back (an addDir event, see revalidate).
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
    this.revalidate();
  }

  /**
   * Re-watches watched directories that are not the directory their watch was set on: one
   * moved away and back, or deleted and recreated (git checkout, git stash), is a new inode
   * that no watch covers, and its files' later edits would never give an event. Called on
   * every file-system event (the parents up to the project root are watched for this) and
   * after every build; a stat per watched directory. Every watched file in a re-watched
   * directory counts as changed: what came back may differ from what left.
   */
  revalidate(): void {
    if (!this.#fs) return;
    const again: string[] = [];
    for (const [dir, ino] of this.#dirInodes) {
      const now = dirId(dir);
      if (now === ino) continue;
      this.#dirInodes.set(dir, now);
      if (now !== "") again.push(dir);
    }
    if (again.length === 0) return;
    trace(() => `directory replaced: ${again.join(" ")}`);
    this.#fs.unwatch(again);
    this.#fs.add(again);
    const inAgain = new Set(again);
    for (const f of [...this.#files.keys(), ...this.#errorFiles.keys()]) if (inAgain.has(path.dirname(f)) && existsSync(f)) this.onChange(f);
  }
}

/**
 * Those of `files` modified at or after `sinceMs` - `slackMs` (default 10 ms: file times come
 * from the kernel's coarse clock, which lags the wall clock by a few ms).
 */
export function modifiedSince(sinceMs: number, files: Iterable<string>, slackMs = 10): string[] {
  const out: string[] = [];
  for (const f of files) {
    const st = statFile(f);
    if (st && Math.max(st.mtimeMs, st.ctimeMs) >= sinceMs - slackMs) out.push(f);
  }
  return out.sort();
}

function errorFiles(e: unknown): string[] {
  if (!(e instanceof CompileError) && !(e instanceof ManifestError)) return [];
  return e.diagnostics.flatMap((d) => (d.location && path.isAbsolute(d.location.file) ? [path.resolve(d.location.file)] : []));
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

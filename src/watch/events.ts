// What a ProjectWatcher emits: `building`, `reload` and `error`, with their payloads.
import type { ProjectBuildResult } from "../project/index.js";

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

// Watch mode: hot-reload a project's libraries in the running process.
export { ProjectWatcher, WatchedLibrary, watchProject } from "./watcher.js";
export type { BuildingEvent, ReloadEvent, StableFunction, WatchErrorInfo, WatchEvents, WatchOptions } from "./watcher.js";

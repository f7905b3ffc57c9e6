// Helpers for watch-mode tests: temp copies of fixture projects, real file edits (in place,
// atomic rename, bursts), and waits on watcher events with a generous timeout — never sleeps.
import { cpSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";
import type { ProjectWatcher, WatchEvents, WatchOptions } from "../../src/watch/index.js";
import { watchProject } from "../../src/watch/index.js";
import { tempDir } from "../cli/helpers.js";

export const fixturesDir = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** Copies test/watch/fixtures/<name> into a fresh temp dir (removed after the test). */
export function copyFixture(name: string): string {
  const dir = tempDir("orcjit-watch-");
  cpSync(path.join(fixturesDir, name), dir, { recursive: true });
  return dir;
}

/** Starts a watcher on `dir` with a private cache; closed after the test. */
export async function startWatcher(dir: string, options: WatchOptions = {}): Promise<ProjectWatcher> {
  const w = await watchProject(dir, { cacheDir: path.join(dir, ".cache"), env: {}, debounceMs: 30, ...options });
  onTestFinished(() => w.close());
  return w;
}

const TIMEOUT_MS = 90_000;

/**
 * Resolves with the arguments of the next `event` (for which `predicate` holds). While
 * waiting for anything but `error`, an `error` event rejects, so a failing build shows its
 * diagnostics instead of a timeout.
 */
export function nextEvent<K extends keyof WatchEvents>(
  w: ProjectWatcher,
  event: K,
  predicate: (...args: WatchEvents[K]) => boolean = () => true,
  timeoutMs = TIMEOUT_MS,
): Promise<WatchEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      w.off(event, onEvent);
      if (event !== "error") w.off("error", onError);
    };
    const onEvent = (...args: WatchEvents[K]): void => {
      if (!predicate(...args)) return;
      cleanup();
      resolve(args[0]);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(new Error(`watcher error while waiting for '${String(event)}': ${e.message}`, { cause: e }));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no '${String(event)}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    w.on(event, onEvent);
    if (event !== "error") w.on("error", onError);
  });
}

/** Records every event of a watcher, in order. */
export function recordEvents(w: ProjectWatcher): Array<{ event: keyof WatchEvents; args: unknown[] }> {
  const log: Array<{ event: keyof WatchEvents; args: unknown[] }> = [];
  for (const event of ["building", "reload", "error"] as const) {
    w.on(event, (...args: unknown[]) => log.push({ event, args }));
  }
  return log;
}

/**
 * Edits a file in place and returns a function that restores its content and mtime (a
 * restore with a fresh mtime would look like one more edit to a watcher).
 */
export function editFile(file: string, edit: (text: string) => string): () => void {
  const before = readFileSync(file, "utf8");
  const { atime, mtime } = statSync(file);
  const after = edit(before);
  if (after === before) throw new Error(`editFile: the edit of ${file} changed nothing`);
  writeFileSync(file, after);
  return () => {
    writeFileSync(file, before);
    utimesSync(file, atime, mtime);
  };
}

/** Saves like many editors do: write a temp file beside it, then rename it over the original. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.swp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Replaces `from` by `to` in a file (must occur), written in place. */
export function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`replaceIn: '${from}' not found in ${file}`);
  writeFileSync(file, text.replace(from, to));
}

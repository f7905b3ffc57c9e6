// What a compile leaves running or lying around, and how it is cleaned up however the build
// ends. A compiler runs in its own process group (gcc's driver starts cc1/as as children that
// inherit its pipes: killing only the driver would leave them running), so nothing outside this
// file kills it implicitly — not the terminal's Ctrl-C (which goes to the foreground group),
// not execa's exit handler. Three ways out are covered:
//   - cancel (AbortSignal) or a normal/failed end: the caller kills the group and removes its
//     temp directory (compile.ts);
//   - this process exits or dies from SIGINT/SIGTERM/SIGHUP with no handler of its own: the
//     exit hook / signal hook below kill every live group and remove every live temp directory
//     synchronously, then let the signal take its default course;
//   - no JavaScript runs at all (SIGKILL, `worker.terminate()`, a crash): a guard process per
//     compile, which holds the read end of a pipe from us and, when the pipe closes, kills the
//     group and removes the build's temp directory — the pipe closes when this process dies or
//     the worker's event loop is torn down.
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

// node:child_process and node:worker_threads are fetched on first use: a warm start compiles
// nothing, and loading them costs a fresh process milliseconds each (child_process brings
// net, dgram and streams).
const isMainThread = (): boolean => process.getBuiltinModule("node:worker_threads").isMainThread;

const liveGroups = new Set<number>();
const liveTmpDirs = new Set<string>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let exitHook = false;
let signalHooks = false;

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Kills every live compiler group and removes every live temp directory (synchronous). */
export function cleanupNow(): void {
  for (const pgid of liveGroups) killGroup(pgid);
  liveGroups.clear();
  for (const dir of liveTmpDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best-effort on the way out
    }
  }
  liveTmpDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Only when this hook is the process's sole handler: the signal is then about to kill the
  // process. An application with its own handler decides itself (and can abort the build).
  if (process.listenerCount(signal) !== 1) return;
  cleanupNow();
  removeSignalHooks();
  process.kill(process.pid, signal); // the default action now: die by the same signal
}

function removeSignalHooks(): void {
  if (!signalHooks) return;
  signalHooks = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

function ensureHooks(): void {
  if (!exitHook) {
    exitHook = true;
    process.once("exit", cleanupNow);
  }
  if (!signalHooks && isMainThread() && process.platform !== "win32") {
    signalHooks = true;
    for (const s of SIGNALS) process.on(s, onSignal);
  }
}

function maybeRemoveSignalHooks(): void {
  if (liveGroups.size === 0 && liveTmpDirs.size === 0) removeSignalHooks();
}

/** Registers a build's temp directory; the returned function unregisters it (the caller removes it). */
export function trackTmpDir(dir: string): () => void {
  liveTmpDirs.add(dir);
  ensureHooks();
  return () => {
    liveTmpDirs.delete(dir);
    maybeRemoveSignalHooks();
  };
}

/**
 * Guards one compile: call before starting the compiler (the guard process is already running
 * when the compiler starts, so no moment exists where the compiler runs unguarded but for the
 * one pipe write in `attach`), then `attach(pid)` once the compiler is a group leader. `kill`
 * kills the group now; `done` (the compiler has exited) stops the guard without letting it
 * fire and unregisters the group.
 */
export function guardCompile(tmpDir: string): { attach: (pgid: number) => void; kill: () => void; done: () => void } {
  const guard = startGuard(tmpDir);
  let pgid: number | undefined;
  let finished = false;
  return {
    attach: (pid) => {
      pgid = pid;
      liveGroups.add(pid);
      ensureHooks();
      try {
        guard?.stdin?.write(`${pid}\n`);
      } catch {
        // no guard: the exit and signal hooks still apply
      }
    },
    kill: () => {
      if (!finished && pgid !== undefined) killGroup(pgid);
    },
    done: () => {
      if (finished) return;
      finished = true;
      // SIGKILL: the guard must not see its pipe close and kill a group id that may be reused.
      if (guard?.pid !== undefined) {
        try {
          guard.kill("SIGKILL");
        } catch {
          // gone
        }
      }
      if (pgid !== undefined) liveGroups.delete(pgid);
      maybeRemoveSignalHooks();
    },
  };
}

// The guard: the first line on its stdin is the group to kill; the second `read` returns at
// EOF, i.e. when our end of the pipe closes. It ignores the terminal's signals (Ctrl-C reaches
// it only through us). EOF before the group id means the process died between starting the
// compiler and telling the guard (a real window under load): the compiler is then found by its
// temp directory, which is in its argv (`-o <tmp>/out.o`), through /proc (Linux; elsewhere
// the window stays). The directory is an argument ($1) and the group id a line of input:
// neither is ever part of the script text.
const GUARD = [
  'trap "" INT HUP TERM QUIT',
  'if read -r pg; then read -r _ ; kill -s KILL -- "-$pg" 2>/dev/null',
  "else for d in /proc/[0-9]*; do p=${d#/proc/}; [ \"$p\" = $$ ] && continue",
  '  case "$( { tr "\\000" " " < "$d/cmdline"; } 2>/dev/null)" in *"$1"*) kill -s KILL -- "-$p" "$p" 2>/dev/null ;; esac; done; fi',
  'rm -rf -- "$1"',
].join("\n");

function startGuard(tmpDir: string): ChildProcess | undefined {
  if (process.platform === "win32") return undefined;
  try {
    const { spawn } = process.getBuiltinModule("node:child_process");
    const g = spawn("/bin/sh", ["-c", GUARD, "orcjit-compile-guard", tmpDir], { stdio: ["pipe", "ignore", "ignore"], detached: true });
    g.on("error", () => undefined);
    g.stdin?.on("error", () => undefined);
    g.unref();
    (g.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return g;
  } catch {
    return undefined; // no guard: the exit and signal hooks still apply
  }
}

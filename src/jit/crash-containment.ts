// Process-wide switches of the native diagnostics (docs/debugging.md): crash containment and
// the perf map.
import { addon } from "../values/native.js";

/**
 * Turns crash containment on or off for every later call (on by default;
 * `ORCJIT_CRASH_GUARD=0` starts with it off) and returns the previous setting. With it on,
 * a fault in JIT code throws NativeCrashError instead of killing the process.
 */
export function setCrashContainment(enabled: boolean): boolean {
  return addon().setCrashGuard(enabled);
}

/**
 * Registers the objects of every library linked from now on with debuggers (the GDB JIT
 * interface; off by default, `ORCJIT_DEBUGGER=1` starts with it on), as `debug: true` does
 * for one library. Returns the previous setting. docs/debugging.md.
 */
export function setDebugger(enabled: boolean): boolean {
  return addon().setDebugger(enabled);
}

/**
 * Turns perf map output (`/tmp/perf-<pid>.map`) on or off for objects linked from now on
 * (off by default; `ORCJIT_PERF=1` starts with it on). Returns the previous setting.
 */
export function setPerfMap(enabled: boolean): boolean {
  return addon().setPerfMap(enabled);
}

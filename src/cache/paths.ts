// Where the cache lives.
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Bumped when the on-disk layout changes; old layouts are simply ignored. */
export const CACHE_LAYOUT = "v1";

/** option → $ORCJIT_CACHE_DIR → $XDG_CACHE_HOME/tvm-ffi-orcjit → platform default. */
export function resolveCacheDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (option) return resolve(option);
  if (env.ORCJIT_CACHE_DIR) return resolve(env.ORCJIT_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(resolve(env.XDG_CACHE_HOME), "tvm-ffi-orcjit");
  if (process.platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "tvm-ffi-orcjit", "Cache");
  if (process.platform === "darwin") return join(homedir(), "Library", "Caches", "tvm-ffi-orcjit");
  return join(homedir(), ".cache", "tvm-ffi-orcjit");
}

/**
 * The private subdirectory used under a shared root: one per user, created by the toolkit
 * itself (mode 0700), so nothing in it can come from another user.
 */
export const userSubdir = (): string => `user-${typeof process.getuid === "function" ? process.getuid() : 0}`;

/**
 * True when a cache root can hold the store directly: it does not exist yet (the toolkit then
 * creates it 0700), or it is this user's and not writable by group or others. A root that
 * others can write (a 1777 /tmp, a 0777 folder, a group folder) is never used directly and its
 * mode is never changed: the store goes to a private subdirectory (`storeDir`).
 */
export function isPrivateRoot(root: string): boolean {
  if (typeof process.getuid !== "function") return true; // Windows: no POSIX owners
  let st;
  try {
    st = statSync(root, { throwIfNoEntry: false });
  } catch {
    return true; // unreadable: ready() reports it
  }
  return !st || (st.uid === process.getuid() && (st.mode & 0o022) === 0);
}

/** The layout directory of a cache root: `<root>/v1`, or `<root>/user-<uid>/v1` under a shared root. */
export function storeDir(root: string): string {
  return isPrivateRoot(root) ? join(root, CACHE_LAYOUT) : join(root, userSubdir(), CACHE_LAYOUT);
}

// Where the cache lives.
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

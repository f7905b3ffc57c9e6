// Public cache API: `cache.size()`, `cache.list()`, `cache.prune({ maxBytes })`, `cache.clear()`.
import { resolveCacheDir } from "./paths.js";
import { type CacheEntryInfo, ObjectCache } from "./store.js";
import { checkOptions, optionKeys } from "../util/options.js";

export { fullKey } from "./key.js";
export { ObjectCache, type CacheEntryInfo, type CacheHit, type DependencyHash, type EntryRecord, type FileHasher } from "./store.js";
export { CACHE_LAYOUT, resolveCacheDir } from "./paths.js";

export interface CacheOptions {
  /** Default: $ORCJIT_CACHE_DIR, else the XDG cache dir (~/.cache/tvm-ffi-orcjit). */
  cacheDir?: string;
}

const CACHE_OPTION_KEYS = optionKeys<CacheOptions>({ cacheDir: true });
const open = (o?: CacheOptions): ObjectCache => {
  checkOptions("cache(options)", o, [...CACHE_OPTION_KEYS, "maxBytes"]);
  return new ObjectCache(resolveCacheDir(o?.cacheDir));
};

export const cache = {
  /** The cache root directory that would be used. */
  dir(options?: CacheOptions): string {
    return resolveCacheDir(options?.cacheDir);
  },
  /** Total bytes on disk. */
  size(options?: CacheOptions): Promise<number> {
    return open(options).size();
  },
  /** Valid entries, most recently used first. */
  list(options?: CacheOptions): Promise<CacheEntryInfo[]> {
    return open(options).list();
  },
  /** Evicts least-recently-used entries until at most `maxBytes` remain; returns bytes freed. */
  prune(options: CacheOptions & { maxBytes: number }): Promise<number> {
    return open(options).prune(options.maxBytes);
  },
  /** Deletes every entry. */
  clear(options?: CacheOptions): Promise<void> {
    return open(options).clear();
  },
};

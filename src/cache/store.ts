// The content-addressed object store. Layout under <root>/v1 (see docs/cache.md):
//   blobs/<aa>/<sha256>.o      object bytes; the name is the sha256 of the contents
//   entries/<aa>/<key>.json    one per full key: blob name and size, dependency list + hashes
//   index/<aa>/<baseKey>.json  full keys seen for a base key, newest first (lookup candidates)
//   tmp/<unique>/              compiler output of in-flight builds
//   toolchains/, logs/         compiler identities, compiler logs
// Lock-free: every file is published with write-to-temp + rename, so readers see nothing or a
// whole file, and concurrent builders of one key race harmlessly (last rename wins; both valid).
import { lstatSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { mkdtemp, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { CacheError } from "../errors.js";
import { atomicWriteFile, atomicWriteFileSync, ensureDir, isPrivate, readPrivateFileSync, renameReplacing, uniqueName } from "../util/fs.js";
import { sha256 } from "../util/hash.js";
import { fullKey } from "./key.js";
import { type FileStamp, hashAndStamp, isStamp, stampTrusted, statFile } from "../util/stamp.js";
import { isPrivateRoot, storeDir, userSubdir } from "./paths.js";

export interface DependencyHash {
  path: string;
  sha256: string;
  /** stat of the version that was hashed; lets a lookup skip re-hashing it (util/stamp.ts). */
  stamp?: FileStamp;
}

export interface EntryRecord {
  format: 1;
  key: string;
  baseKey: string;
  /** sha256 of the object bytes = blob name. */
  object: string;
  size: number;
  source: string;
  language: string;
  compiler: { kind: string; path: string; version: string; target: string };
  deps: DependencyHash[];
  createdAt: string;
  /** Wall-clock ms taken before the dependency stamps: the racy-window reference. */
  stampedAt?: number;
}

export interface CacheEntryInfo {
  key: string;
  source: string;
  language: string;
  compiler: string;
  objectPath: string;
  size: number;
  dependencies: string[];
  createdAt: Date;
  lastUsed: Date;
}

export interface CacheHit {
  key: string;
  objectPath: string;
  deps: DependencyHash[];
  /** The object's bytes, as read and verified against the entry's sha256 (no second read to load them). */
  bytes: Buffer;
}

/** Returns a regular file's content hash, or undefined when it no longer exists (synchronous: see lookupSync). */
export type FileHasher = (path: string) => string | undefined;

const MAX_CANDIDATES = 8;
const DEAD_TMP_GRACE_MS = 60 * 1000;
/**
 * Cache roots whose store this process has created or verified (root → store directory): the
 * directory checks run once per process and root, not on every compileUnits call (each file
 * read is still checked). Forgotten when the tree is found missing (reset) or cleared.
 */
const preparedStores = new Map<string, string>();
const sweptRoots = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, not ours
  }
}
const STALE_TMP_MS = 60 * 60 * 1000;
const ORPHAN_GRACE_MS = 10 * 60 * 1000;

const shard = (dir: string, name: string, ext: string): string => join(dir, name.slice(0, 2), `${name}${ext}`);
const isHex64 = (s: unknown): s is string => typeof s === "string" && /^[0-9a-f]{64}$/.test(s);

function validEntry(x: unknown, key: string): x is EntryRecord {
  const e = x as EntryRecord;
  return !!e && e.format === 1 && e.key === key && isHex64(e.baseKey) && isHex64(e.object) && Number.isSafeInteger(e.size) && Array.isArray(e.deps) && e.deps.every((d) => typeof d?.path === "string" && isHex64(d.sha256));
}

// Every record is read through readPrivateFileSync: a file another user could have written
// (wrong owner, group/other-writable, a symlink, a FIFO) is treated like a corrupt one.
async function readJson(path: string): Promise<unknown> {
  return readJsonSync(path);
}

function readJsonSync(path: string): unknown {
  try {
    return JSON.parse(readPrivateFileSync(path).toString("utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return null; // unreadable / corrupt
  }
}

export class ObjectCache {
  readonly root: string;
  readonly dir: string;
  #ready: Promise<void> | undefined;

  constructor(root: string) {
    this.root = root;
    this.dir = preparedStores.get(root) ?? storeDir(root);
  }

  get blobsDir(): string {
    return join(this.dir, "blobs");
  }
  get entriesDir(): string {
    return join(this.dir, "entries");
  }
  get indexDir(): string {
    return join(this.dir, "index");
  }
  get tmpRoot(): string {
    return join(this.dir, "tmp");
  }
  get toolchainDir(): string {
    return join(this.dir, "toolchains");
  }
  get logDir(): string {
    return join(this.dir, "logs");
  }
  blobPath(sha: string): string {
    return shard(this.blobsDir, sha, ".o");
  }
  entryPath(key: string): string {
    return shard(this.entriesDir, key, ".json");
  }
  indexPath(baseKey: string): string {
    return shard(this.indexDir, baseKey, ".json");
  }

  /**
   * Creates the directory tree (0700). The mode of a directory the toolkit did not create is
   * never changed: a root others can write gets a private `user-<uid>/` subdirectory instead
   * (paths.ts#storeDir), and every directory of the store must be ours, not a symlink and not
   * writable by others — else CacheError.
   */
  ready(): Promise<void> {
    // Synchronous inside: a few mkdirs and lstats, on every warm start.
    this.#ready ??= (() => {
      if (preparedStores.get(this.root) === this.dir) return Promise.resolve();
      try {
        this.#prepare();
        preparedStores.set(this.root, this.dir);
        return Promise.resolve();
      } catch (e) {
        this.#ready = undefined;
        if (e instanceof CacheError) return Promise.reject(e);
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === "EACCES" || code === "EPERM" || code === "EROFS" ? ` (${code}: the cache is read-only or not ours; set ORCJIT_CACHE_DIR / cacheDir to a directory you can write)` : "";
        return Promise.reject(new CacheError(`cannot create the cache directory ${this.dir}: ${(e as Error).message}${why}`, { cause: e }));
      }
    })();
    return this.#ready;
  }

  #prepare(): void {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const st = statSync(this.root); // follows a symlink: its target is what is used
    if (!st.isDirectory()) throw new CacheError(`cache directory ${this.root} is not a directory`);
    if (!isPrivateRoot(this.root)) {
      // Shared root. In a sticky directory (/tmp) nobody else can rename or remove our
      // subdirectory; in a directory another user owns, that user can: refuse it.
      if (st.uid !== process.getuid!() && (st.mode & 0o1000) === 0)
        throw new CacheError(`cache directory ${this.root} belongs to uid ${st.uid} (this user is uid ${process.getuid!()}) and is not a sticky shared folder: its owner could replace the cache. Use a directory you own (ORCJIT_CACHE_DIR / cacheDir).`);
      ownDir(join(this.root, userSubdir()));
    }
    ownDir(this.dir);
    mkdirSync(this.tmpRoot, { recursive: true, mode: 0o700 });
  }

  /** Forgets that the tree exists (it was removed under us, e.g. by a concurrent `cache clear`). */
  reset(): void {
    this.#ready = undefined;
    preparedStores.delete(this.root);
  }

  /** A fresh private directory for one build's outputs, on the cache's filesystem. */
  async makeTmpDir(): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      await this.ready();
      this.#sweepDeadTmpDirs();
      try {
        return await mkdtemp(join(this.tmpRoot, `${uniqueName("b")}-`));
      } catch (e) {
        // ENOENT: the tree was removed since ready() (a concurrent `cache clear`): create it again.
        if ((e as NodeJS.ErrnoException).code === "ENOENT" && attempt < 3) {
          this.reset();
          continue;
        }
        throw new CacheError(`cannot create a build directory in ${this.tmpRoot}: ${(e as Error).message}`, { cause: e });
      }
    }
  }

  /**
   * Once per process and cache: removes the temp directories of builds whose process is gone
   * (killed, crashed) — named `b-<pid>-…` by uniqueName — when older than a minute (a process
   * of the same pid on another host sharing the cache could still be using a younger one; an
   * older one it would recreate: compileUnits retries when its directory vanishes).
   */
  #sweepDeadTmpDirs(): void {
    if (sweptRoots.has(this.tmpRoot)) return;
    sweptRoots.add(this.tmpRoot);
    try {
      const now = Date.now();
      for (const name of readdirSync(this.tmpRoot)) {
        const pid = Number(/^b-(\d+)-/.exec(name)?.[1]);
        if (!pid || pid === process.pid || processAlive(pid)) continue;
        const p = join(this.tmpRoot, name);
        const st = statSync(p, { throwIfNoEntry: false });
        if (st && now - st.mtimeMs > DEAD_TMP_GRACE_MS) rmSync(p, { recursive: true, force: true });
      }
    } catch {
      // best-effort
    }
  }

  /**
   * Finds a valid entry for `baseKey`: one whose recorded dependencies still hash the same and
   * whose blob is intact. Corrupt entries and blobs are deleted on the way (and so rebuilt).
   *
   * A recorded dependency whose stat still equals the stamp taken when it was hashed (size,
   * mtime, ctime, inode), and that was already older than the racy window then, is not re-read:
   * its recorded hash is its current hash. Any other dependency is re-hashed with `hashFile`;
   * when that still matches, the entry's stamps are refreshed so the next lookup is stat-only.
   * Synchronous inside (a warm start is a few dozen small fs calls; each async one would be a
   * thread-pool round trip); the object's bytes are returned, verified, for loading.
   */
  lookupSync(baseKey: string, hashFile: FileHasher): CacheHit | undefined {
    const index = readJsonSync(this.indexPath(baseKey));
    const keys = Array.isArray(index) ? index.filter(isHex64) : [];
    for (const key of keys) {
      const entryPath = this.entryPath(key);
      const entry = readJsonSync(entryPath);
      if (entry === undefined) continue;
      // An entry must be self-consistent: its key is the hash of its base key and recorded deps.
      if (!validEntry(entry, key) || entry.baseKey !== baseKey || fullKey(baseKey, entry.deps) !== key) {
        rmSync(entryPath, { force: true });
        continue;
      }
      const stampedAt = Date.now(); // before the stats below: refreshed stamps are never newer than what they saw
      let current: DependencyHash[] | undefined = [];
      let refresh = false;
      for (const d of entry.deps) {
        const st = statFile(d.path);
        if (!st) {
          current = undefined;
          break;
        }
        if (isStamp(d.stamp) && stampTrusted(d.stamp, entry.stampedAt, st)) {
          current.push(d);
          continue;
        }
        const h = hashFile(d.path);
        if (h === undefined) {
          current = undefined;
          break;
        }
        refresh = true;
        current.push({ path: d.path, sha256: h });
      }
      if (!current || fullKey(baseKey, current) !== key) continue;
      const blob = this.blobPath(entry.object);
      const bytes = readVerified(blob, entry.object, entry.size);
      if (!bytes) {
        rmSync(blob, { force: true });
        rmSync(entryPath, { force: true });
        continue;
      }
      if (refresh) this.#refreshStamps(entryPath, entry, stampedAt);
      else {
        // A hit refreshes the entry's mtime: that is what "least recently used" means for prune.
        const now = new Date();
        try {
          utimesSync(entryPath, now, now);
        } catch {
          // read-only cache: LRU order is only advisory
        }
      }
      return { key, objectPath: blob, deps: entry.deps, bytes };
    }
    return undefined;
  }

  /** The dependency paths the candidate entries of `baseKey` recorded (what the last builds included). */
  recordedDeps(baseKey: string): string[] {
    const index = readJsonSync(this.indexPath(baseKey));
    const out = new Set<string>();
    for (const key of Array.isArray(index) ? index.filter(isHex64) : []) {
      const entry = readJsonSync(this.entryPath(key));
      if (validEntry(entry, key)) for (const d of entry.deps) out.add(d.path);
    }
    return [...out];
  }

  /**
   * Rewrites a hit entry with fresh stamps for its dependencies (some had to be re-hashed:
   * touched, checked out again, or racy when recorded). Same key and hashes, so a concurrent
   * reader sees either version as valid; a new file also refreshes the LRU time. A dependency
   * that changed while being stamped keeps no stamp. Best-effort: failing only costs re-hashing.
   */
  #refreshStamps(entryPath: string, entry: EntryRecord, stampedAt: number): void {
    try {
      const deps: DependencyHash[] = [];
      for (const d of entry.deps) {
        const h = hashAndStamp(d.path);
        if (!h || h.sha256 !== d.sha256) return; // changed under us: leave the entry alone
        deps.push({ path: d.path, sha256: d.sha256, ...(h.stamp ? { stamp: h.stamp } : {}) });
      }
      atomicWriteFileSync(entryPath, JSON.stringify({ ...entry, deps, stampedAt } satisfies EntryRecord), this.tmpRoot);
    } catch {
      // best-effort
    }
  }

  /**
   * Publishes a freshly built object (moved out of `objectTmpPath`). Order: blob, entry, index —
   * each an atomic rename — so a reader that finds an index key either finds its entry and blob
   * or treats it as a miss. With `record: false` only the blob is stored (used when a source or
   * header changed while the compiler ran: the object is usable now but must not be a future hit).
   */
  async publish(args: { baseKey: string; objectTmpPath: string; deps: DependencyHash[]; stampedAt?: number; meta: Omit<EntryRecord, "format" | "key" | "baseKey" | "object" | "size" | "deps" | "createdAt" | "stampedAt">; record?: boolean }): Promise<{ key: string; objectPath: string; bytes: Buffer }> {
    await this.ready();
    const key = fullKey(args.baseKey, args.deps);
    try {
      const bytes = await readFile(args.objectTmpPath);
      const sha = sha256(bytes);
      const blob = this.blobPath(sha);
      await ensureDir(join(this.blobsDir, sha.slice(0, 2)));
      // An existing blob is kept only when it is ours and intact (readVerified's rules);
      // otherwise the fresh object replaces it.
      const existing = await stat(blob).catch(() => undefined);
      if (existing?.size === bytes.length && readVerified(blob, sha, bytes.length)) await rm(args.objectTmpPath, { force: true });
      else await renameReplacing(args.objectTmpPath, blob);
      if (args.record === false) return { key, objectPath: blob, bytes };
      const entry: EntryRecord = { format: 1, key, baseKey: args.baseKey, object: sha, size: bytes.length, deps: args.deps, createdAt: new Date().toISOString(), ...(args.stampedAt !== undefined ? { stampedAt: args.stampedAt } : {}), ...args.meta };
      await ensureDir(join(this.entriesDir, key.slice(0, 2)));
      await atomicWriteFile(this.entryPath(key), JSON.stringify(entry), this.tmpRoot);
      const indexPath = this.indexPath(args.baseKey);
      const old = await readJson(indexPath);
      const keys = [key, ...(Array.isArray(old) ? old.filter((k) => isHex64(k) && k !== key) : [])].slice(0, MAX_CANDIDATES);
      await ensureDir(join(this.indexDir, args.baseKey.slice(0, 2)));
      await atomicWriteFile(indexPath, JSON.stringify(keys), this.tmpRoot);
      return { key, objectPath: blob, bytes };
    } catch (e) {
      throw new CacheError(`cannot publish to the object cache ${this.dir}: ${(e as Error).message}`, { cause: e });
    }
  }

  async #entries(): Promise<Array<{ path: string; entry: EntryRecord | undefined; mtimeMs: number; size: number }>> {
    const out: Array<{ path: string; entry: EntryRecord | undefined; mtimeMs: number; size: number }> = [];
    for (const sub of await readdir(this.entriesDir).catch(() => [] as string[])) {
      for (const f of await readdir(join(this.entriesDir, sub)).catch(() => [] as string[])) {
        if (!f.endsWith(".json")) continue;
        const path = join(this.entriesDir, sub, f);
        const st = await stat(path).catch(() => undefined);
        if (!st) continue;
        const data = await readJson(path);
        out.push({ path, entry: validEntry(data, f.slice(0, -5)) ? data : undefined, mtimeMs: st.mtimeMs, size: st.size });
      }
    }
    return out;
  }

  async #blobs(): Promise<Map<string, { path: string; size: number; mtimeMs: number }>> {
    const out = new Map<string, { path: string; size: number; mtimeMs: number }>();
    for (const sub of await readdir(this.blobsDir).catch(() => [] as string[])) {
      for (const f of await readdir(join(this.blobsDir, sub)).catch(() => [] as string[])) {
        const path = join(this.blobsDir, sub, f);
        const st = await stat(path).catch(() => undefined);
        if (st) out.set(f.replace(/\.o$/, ""), { path, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
    return out;
  }

  /** All valid entries, most recently used first. */
  async list(): Promise<CacheEntryInfo[]> {
    const entries = await this.#entries();
    return entries
      .filter((e): e is typeof e & { entry: EntryRecord } => !!e.entry)
      .sort((a, b) => b.mtimeMs - a.mtimeMs)
      .map(({ entry, mtimeMs }) => ({
        key: entry.key,
        source: entry.source,
        language: entry.language,
        compiler: `${entry.compiler.kind} ${entry.compiler.version}`,
        objectPath: this.blobPath(entry.object),
        size: entry.size,
        dependencies: entry.deps.map((d) => d.path),
        createdAt: new Date(entry.createdAt),
        lastUsed: new Date(mtimeMs),
      }));
  }

  /** Bytes on disk: blobs + entries + index files + logs + temp files. */
  async size(): Promise<number> {
    return dirSize(this.dir);
  }

  /**
   * Deletes least-recently-used entries (and blobs no entry needs) until the cache holds at most
   * `maxBytes`; always removes corrupt entries, temp dirs of crashed builds and old orphan blobs.
   * Returns the number of bytes freed.
   */
  async prune(maxBytes: number): Promise<number> {
    const before = await this.size();
    const now = Date.now();
    for (const t of await readdir(this.tmpRoot).catch(() => [] as string[])) {
      const p = join(this.tmpRoot, t);
      const st = await stat(p).catch(() => undefined);
      if (st && now - st.mtimeMs > STALE_TMP_MS) await rm(p, { recursive: true, force: true });
    }
    const entries = await this.#entries();
    for (const e of entries) if (!e.entry) await rm(e.path, { force: true });
    const live = entries.filter((e) => e.entry).sort((a, b) => a.mtimeMs - b.mtimeMs);
    const blobs = await this.#blobs();
    const refs = new Map<string, number>();
    for (const e of live) refs.set(e.entry!.object, (refs.get(e.entry!.object) ?? 0) + 1);
    for (const [sha, b] of blobs)
      if (!refs.has(sha) && now - b.mtimeMs > ORPHAN_GRACE_MS) {
        await rm(b.path, { force: true });
        blobs.delete(sha);
      }
    let total = await this.size();
    for (const e of live) {
      if (total <= maxBytes) break;
      await rm(e.path, { force: true });
      total -= e.size;
      const sha = e.entry!.object;
      const n = (refs.get(sha) ?? 1) - 1;
      refs.set(sha, n);
      const b = blobs.get(sha);
      if (n === 0 && b) {
        await rm(b.path, { force: true });
        total -= b.size;
      }
    }
    if (total > maxBytes) {
      // only logs and bookkeeping left: drop logs
      await rm(this.logDir, { recursive: true, force: true });
    }
    await this.#pruneIndex();
    return Math.max(0, before - (await this.size()));
  }

  async #pruneIndex(): Promise<void> {
    for (const sub of await readdir(this.indexDir).catch(() => [] as string[])) {
      for (const f of await readdir(join(this.indexDir, sub)).catch(() => [] as string[])) {
        const path = join(this.indexDir, sub, f);
        const keys = await readJson(path);
        const alive: string[] = [];
        if (Array.isArray(keys)) for (const k of keys) if (isHex64(k) && (await stat(this.entryPath(k)).catch(() => undefined))) alive.push(k);
        if (alive.length === 0) await rm(path, { force: true });
      }
    }
  }

  /** Removes everything this cache layout stored. */
  async clear(): Promise<void> {
    // Renamed away first (atomic), then deleted: builds running meanwhile recreate a fresh tree
    // instead of racing the recursive delete (which fails with ENOTEMPTY when they add files).
    const doomed = `${this.dir}.clear-${uniqueName("c")}`;
    try {
      await rename(this.dir, doomed);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new CacheError(`cannot clear the cache ${this.dir}: ${(e as Error).message}`, { cause: e });
    }
    await rm(doomed, { recursive: true, force: true, maxRetries: 3 });
    this.reset();
  }
}

/** The file's bytes when its size and sha256 are the expected ones; undefined otherwise (or unreadable). */
function readVerified(path: string, sha: string, size: number): Buffer | undefined {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st || st.size !== size) return undefined; // no read of a file that is obviously wrong
    const bytes = readPrivateFileSync(path);
    return bytes.length === size && sha256(bytes) === sha ? bytes : undefined;
  } catch {
    return undefined;
  }
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  const ents = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of ents) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else total += (await stat(p).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/**
 * Creates `dir` (0700) unless it exists, then requires it to be a real directory (not a
 * symlink) owned by this user and not writable by others. mkdir's mode only applies to
 * directories it creates; one that existed may have been pre-created by someone else (a
 * shared /tmp) or left open, and anything in it could be planted: refused, never chmodded.
 */
function ownDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  if (typeof process.getuid !== "function") return;
  const st = lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory() || !isPrivate(st))
    throw new CacheError(
      `cache directory ${dir} is ${st.isSymbolicLink() ? "a symbolic link" : !st.isDirectory() ? "not a directory" : `owned by uid ${st.uid} with mode ${(st.mode & 0o7777).toString(8)}`}: another user could have planted objects in it. Remove it (the toolkit recreates it privately) or use another ORCJIT_CACHE_DIR / cacheDir.`,
    );
}

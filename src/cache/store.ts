// The content-addressed object store. Layout under <root>/v1 (see docs/cache.md):
//   blobs/<aa>/<sha256>.o      object bytes; the name is the sha256 of the contents
//   entries/<aa>/<key>.json    one per full key: blob name and size, dependency list + hashes
//   index/<aa>/<baseKey>.json  full keys seen for a base key, newest first (lookup candidates)
//   tmp/<unique>/              compiler output of in-flight builds
//   toolchains/, logs/         compiler identities, compiler logs
// Lock-free: every file is published with write-to-temp + rename, so readers see nothing or a
// whole file, and concurrent builders of one key race harmlessly (last rename wins; both valid).
import { chmod, mkdtemp, readdir, readFile, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { CacheError } from "../errors.js";
import { atomicWriteFile, ensureDir, renameReplacing, uniqueName } from "../util/fs.js";
import { KeyHasher, sha256, sha256File } from "../util/hash.js";
import { CACHE_LAYOUT } from "./paths.js";

export interface DependencyHash {
  path: string;
  sha256: string;
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
}

/** Returns a file's content hash, or undefined when it no longer exists. */
export type FileHasher = (path: string) => Promise<string | undefined>;

const MAX_CANDIDATES = 8;
const STALE_TMP_MS = 60 * 60 * 1000;
const ORPHAN_GRACE_MS = 10 * 60 * 1000;

export function fullKey(baseKey: string, deps: readonly DependencyHash[]): string {
  const h = new KeyHasher().field("base", baseKey).field("deps", deps.length);
  for (const d of [...deps].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) h.field("dep", d.path).field("sha256", d.sha256);
  return h.digest();
}

const shard = (dir: string, name: string, ext: string): string => join(dir, name.slice(0, 2), `${name}${ext}`);
const isHex64 = (s: unknown): s is string => typeof s === "string" && /^[0-9a-f]{64}$/.test(s);

function validEntry(x: unknown, key: string): x is EntryRecord {
  const e = x as EntryRecord;
  return !!e && e.format === 1 && e.key === key && isHex64(e.baseKey) && isHex64(e.object) && Number.isSafeInteger(e.size) && Array.isArray(e.deps) && e.deps.every((d) => typeof d?.path === "string" && isHex64(d.sha256));
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
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
    this.dir = join(root, CACHE_LAYOUT);
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

  /** Creates the directory tree (0700); refuses a root another user owns or can write. */
  ready(): Promise<void> {
    this.#ready ??= (async () => {
      try {
        await ensureDir(this.root, 0o700);
        await assertPrivate(this.root);
        await ensureDir(this.tmpRoot, 0o700);
      } catch (e) {
        this.#ready = undefined;
        throw new CacheError(`cannot create the cache directory ${this.root}: ${(e as Error).message}`, { cause: e });
      }
    })();
    return this.#ready;
  }

  /** A fresh private directory for one build's outputs, on the cache's filesystem. */
  async makeTmpDir(): Promise<string> {
    await this.ready();
    return mkdtemp(join(this.tmpRoot, `${uniqueName("b")}-`));
  }

  /**
   * Finds a valid entry for `baseKey`: one whose recorded dependencies still hash the same and
   * whose blob is intact. Corrupt entries and blobs are deleted on the way (and so rebuilt).
   */
  async lookup(baseKey: string, hashFile: FileHasher): Promise<CacheHit | undefined> {
    const index = await readJson(this.indexPath(baseKey));
    const keys = Array.isArray(index) ? index.filter(isHex64) : [];
    for (const key of keys) {
      const entryPath = this.entryPath(key);
      const entry = await readJson(entryPath);
      if (entry === undefined) continue;
      // An entry must be self-consistent: its key is the hash of its base key and recorded deps.
      if (!validEntry(entry, key) || entry.baseKey !== baseKey || fullKey(baseKey, entry.deps) !== key) {
        await rm(entryPath, { force: true });
        continue;
      }
      let current: DependencyHash[] | undefined = [];
      for (const d of entry.deps) {
        const h = await hashFile(d.path);
        if (h === undefined) {
          current = undefined;
          break;
        }
        current.push({ path: d.path, sha256: h });
      }
      if (!current || fullKey(baseKey, current) !== key) continue;
      const blob = this.blobPath(entry.object);
      if (!(await this.#verifyBlob(blob, entry.object, entry.size))) {
        await rm(blob, { force: true });
        await rm(entryPath, { force: true });
        continue;
      }
      const now = new Date();
      await utimes(entryPath, now, now).catch(() => undefined);
      return { key, objectPath: blob, deps: entry.deps };
    }
    return undefined;
  }

  async #verifyBlob(path: string, sha: string, size: number): Promise<boolean> {
    try {
      const st = await stat(path);
      if (st.size !== size) return false;
      return (await sha256File(path)) === sha;
    } catch {
      return false;
    }
  }

  /**
   * Publishes a freshly built object (moved out of `objectTmpPath`). Order: blob, entry, index —
   * each an atomic rename — so a reader that finds an index key either finds its entry and blob
   * or treats it as a miss. With `record: false` only the blob is stored (used when a source or
   * header changed while the compiler ran: the object is usable now but must not be a future hit).
   */
  async publish(args: { baseKey: string; objectTmpPath: string; deps: DependencyHash[]; meta: Omit<EntryRecord, "format" | "key" | "baseKey" | "object" | "size" | "deps" | "createdAt">; record?: boolean }): Promise<{ key: string; objectPath: string }> {
    await this.ready();
    const key = fullKey(args.baseKey, args.deps);
    try {
      const bytes = await readFile(args.objectTmpPath);
      const sha = sha256(bytes);
      const blob = this.blobPath(sha);
      await ensureDir(join(this.blobsDir, sha.slice(0, 2)));
      const existing = await stat(blob).catch(() => undefined);
      if (existing?.size === bytes.length && (await sha256File(blob).catch(() => "")) === sha) await rm(args.objectTmpPath, { force: true });
      else await renameReplacing(args.objectTmpPath, blob);
      if (args.record === false) return { key, objectPath: blob };
      const entry: EntryRecord = { format: 1, key, baseKey: args.baseKey, object: sha, size: bytes.length, deps: args.deps, createdAt: new Date().toISOString(), ...args.meta };
      await ensureDir(join(this.entriesDir, key.slice(0, 2)));
      await atomicWriteFile(this.entryPath(key), JSON.stringify(entry), this.tmpRoot);
      const indexPath = this.indexPath(args.baseKey);
      const old = await readJson(indexPath);
      const keys = [key, ...(Array.isArray(old) ? old.filter((k) => isHex64(k) && k !== key) : [])].slice(0, MAX_CANDIDATES);
      await ensureDir(join(this.indexDir, args.baseKey.slice(0, 2)));
      await atomicWriteFile(indexPath, JSON.stringify(keys), this.tmpRoot);
      return { key, objectPath: blob };
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
    await rm(this.dir, { recursive: true, force: true });
    this.#ready = undefined;
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
 * mkdir's mode only applies to directories it creates: a cache root that already existed
 * (e.g. ORCJIT_CACHE_DIR in a shared /tmp, pre-created by someone else) is checked here. Hash
 * verification cannot stop a writer who can also write matching records, so only a private
 * root keeps other local users from planting objects. Ours but too open → tightened to 0700.
 */
async function assertPrivate(dir: string): Promise<void> {
  if (process.platform === "win32" || typeof process.getuid !== "function") return;
  const st = await stat(dir); // follows a symlink: its target must be ours
  if (!st.isDirectory()) throw new CacheError(`cache directory ${dir} is not a directory`);
  const uid = process.getuid();
  if (st.uid !== uid) throw new CacheError(`cache directory ${dir} is owned by uid ${st.uid}, not by this user (uid ${uid}); another user could plant objects in it. Use a directory you own (ORCJIT_CACHE_DIR / cacheDir).`);
  if ((st.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

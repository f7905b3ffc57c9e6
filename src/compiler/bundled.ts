// The header tree shipped with the package (native/include) and the toolkit version: both go
// into every cache key. Each is computed once per process; the header tree's hash is also
// persisted (stat-validated) in the cache so a warm start does not re-read the tree.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { atomicWriteFileSync, readPrivateFileSync } from "../util/fs.js";
import { KeyHasher, sha256, sha256Tree } from "../util/hash.js";
import { type FileStamp, hashAndStamp, isStamp, stampOf, stampTrusted, statDir, statFile } from "../util/stamp.js";

/** Bumped when generated code or flags change in a way the other key fields do not capture. */
export const TOOLKIT_ABI_VERSION = 1;

// src/compiler/*.ts and dist/compiler/*.js are both two levels below the package root.
const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

/** native/include of this package ($ORCJIT_INCLUDE_DIR overrides, for development). */
export function bundledIncludeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ORCJIT_INCLUDE_DIR ?? fileURLToPath(new URL("../../native/include", import.meta.url));
}

let toolkitVersion: string | undefined;
/** "<package version>/abi<N>". */
export function toolkitId(): string {
  if (!toolkitVersion) {
    let v = "unknown";
    try {
      v = (JSON.parse(readFileSync(`${packageRoot}package.json`, "utf8")) as { version?: string }).version ?? v;
    } catch {
      // running from an unusual layout: the ABI number still guards the key
    }
    toolkitVersion = `${v}/abi${TOOLKIT_ABI_VERSION}`;
  }
  return toolkitVersion;
}

const treeHashes = new Map<string, Promise<string>>();
/**
 * sha256 of the bundled header tree (paths + contents), once per process per directory. With
 * `stampDir` (inside the cache), the per-file hashes are persisted with stat stamps, so a later
 * process only lists the tree and stats its files; any file whose stat differs (or that is in
 * the racy window) is re-hashed, and a listing that differs re-hashes what is new. The result
 * is always the same value sha256Tree(dir) gives.
 */
export function bundledHeaderHash(dir: string, stampDir?: string): Promise<string> {
  const memoKey = `${dir}\u0000${stampDir ?? ""}`;
  let p = treeHashes.get(memoKey);
  if (!p) {
    p = stampDir ? Promise.resolve().then(() => stampedTreeHash(dir, stampDir)) : sha256Tree(dir);
    treeHashes.set(memoKey, p);
    p.catch(() => treeHashes.delete(memoKey));
  }
  return p;
}

interface TreeStampRecord {
  format: 2;
  root: string;
  stampedAt: number;
  /** Every directory of the tree ("" = root) with its stamp: unchanged directories = unchanged listing. */
  dirs: Array<{ path: string; stamp?: FileStamp }>;
  files: Array<{ path: string; sha256: string; stamp?: FileStamp }>;
}

/**
 * Same walk as sha256Tree: directories recursed, files and symlinks listed; missing root → empty.
 * Each directory is stamped before it is read, so a change during the walk shows as a stale stamp.
 */
function listTree(root: string): { files: string[]; dirs: TreeStampRecord["dirs"] } {
  const files: string[] = [];
  const dirs: TreeStampRecord["dirs"] = [];
  const walk = (dir: string, rel: string): void => {
    const st = statDir(dir);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    dirs.push(st ? { path: rel, stamp: stampOf(st) } : { path: rel });
    for (const ent of entries) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(join(dir, ent.name), r);
      else if (ent.isFile() || ent.isSymbolicLink()) files.push(r);
    }
  };
  walk(root, "");
  return { files: files.sort(), dirs };
}

const abs = (root: string, rel: string): string => (rel ? join(root, ...rel.split("/")) : root);

/** @internal (exported for tests) */
export function stampedTreeHash(root: string, stampDir: string): string {
  const recordPath = join(stampDir, `include-${sha256(root).slice(0, 32)}.json`);
  let old: TreeStampRecord | undefined;
  try {
    const r = JSON.parse(readPrivateFileSync(recordPath).toString("utf8")) as TreeStampRecord;
    if (r?.format === 2 && r.root === root && Array.isArray(r.files) && Array.isArray(r.dirs)) old = r;
  } catch {
    // no record yet, or unreadable: hash everything
  }
  const stampedAt = Date.now(); // before any stat: a stamp is never newer than what it saw
  // Entries are added, removed or renamed only by changing their directory (mtime and ctime):
  // when every recorded directory still has its trusted stamp, the recorded listing is current.
  let listing: { files: string[]; dirs: TreeStampRecord["dirs"] } | undefined;
  if (old && old.dirs.length > 0 && old.dirs.every((d) => typeof d?.path === "string" && isStamp(d.stamp) && (() => { const st = statDir(abs(root, d.path)); return !!st && stampTrusted(d.stamp, old!.stampedAt, st); })()))
    listing = { files: old.files.map((f) => f.path), dirs: old.dirs };
  listing ??= listTree(root);
  const known = new Map((old?.files ?? []).filter((f) => typeof f?.path === "string" && typeof f.sha256 === "string" && /^[0-9a-f]{64}$/.test(f.sha256)).map((f) => [f.path, f]));
  const files: TreeStampRecord["files"] = [];
  let changed = listing.dirs !== old?.dirs;
  for (const rel of listing.files) {
    const path = abs(root, rel);
    const prev = known.get(rel);
    const st = statFile(path);
    if (st && prev && stampTrusted(prev.stamp, old!.stampedAt, st)) {
      files.push(prev);
      continue;
    }
    const h = hashAndStamp(path);
    if (!h) throw new Error(`cannot read bundled header ${path}`);
    files.push({ path: rel, ...h });
    changed = true;
  }
  const k = new KeyHasher().field("tree", files.length);
  for (const f of files) k.field("path", f.path).field("content", f.sha256);
  if (changed) {
    try {
      mkdirSync(stampDir, { recursive: true, mode: 0o700 });
      atomicWriteFileSync(recordPath, JSON.stringify({ format: 2, root, stampedAt, dirs: listing.dirs, files } satisfies TreeStampRecord));
    } catch {
      // a read-only cache only costs re-hashing the tree once per process
    }
  }
  return k.digest();
}

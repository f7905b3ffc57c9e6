// Hashing helpers: sha256 over strings, bytes, files and directory trees.
import { createHash, type Hash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { readRegularFile } from "./fs.js";

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * sha256 of a file's contents. Rejects with the fs error (ENOENT, ...). Files are read whole:
 * headers and objects are small, and one read beats a stream's per-chunk event-loop hops.
 */
export async function sha256File(path: string): Promise<string> {
  return sha256(await readRegularFile(path)); // a FIFO is refused, never waited on (util/fs.ts)
}

/**
 * An unambiguous incremental hasher: every field is length-prefixed and tagged,
 * so ("ab","c") and ("a","bc") never collide.
 */
export class KeyHasher {
  readonly #h: Hash = createHash("sha256");
  field(tag: string, value: string | Uint8Array | number | boolean | null | undefined): this {
    const v = value === null || value === undefined ? "\u0000none" : typeof value === "string" || value instanceof Uint8Array ? value : String(value);
    const bytes = typeof v === "string" ? Buffer.from(v, "utf8") : v;
    this.#h.update(`${tag}\u0000${bytes.length}\u0000`);
    this.#h.update(bytes);
    return this;
  }
  list(tag: string, values: readonly string[]): this {
    this.field(tag, values.length);
    for (const v of values) this.field(`${tag}[]`, v);
    return this;
  }
  digest(): string {
    return this.#h.digest("hex");
  }
}

/**
 * sha256 over a directory tree: relative paths (sorted, '/' separated) and file contents.
 * Symlinks are followed for files; missing directory → hash of the empty tree.
 */
export async function sha256Tree(root: string): Promise<string> {
  const files: string[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const ent of entries) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) await walk(join(dir, ent.name), r);
      else if (ent.isFile() || ent.isSymbolicLink()) files.push(r);
    }
  }
  await walk(root, "");
  files.sort();
  const k = new KeyHasher().field("tree", files.length);
  for (const f of files) k.field("path", f).field("content", await sha256File(join(root, ...f.split("/"))));
  return k.digest();
}

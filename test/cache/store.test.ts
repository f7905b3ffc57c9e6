// The object store without a compiler (unit project): objects are published and found by
// their base key, a changed or missing dependency or a damaged blob is a miss, and a publish
// with record: false never becomes a hit. With real compiles: cache.test.ts, stamps.test.ts.
import { readdir, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fullKey } from "../../src/cache/key.js";
import { ObjectCache, type DependencyHash } from "../../src/cache/store.js";
import { sha256 } from "../../src/util/hash.js";
import { hashFileSync, statFile } from "../../src/util/stamp.js";
import { cleanupTempDirs, tempDir } from "../compiler/helpers.js";

afterAll(cleanupTempDirs);

const meta = { source: "/src/a.c", language: "c", compiler: { kind: "clang", path: "/usr/bin/clang", version: "test", target: "x86_64-pc-linux-gnu" } };
const hashFile = (p: string): string | undefined => (statFile(p) ? hashFileSync(p) : undefined);
const BASE = sha256("a base key");

/** A cache with one published "object" (any bytes do) that depended on one header. */
async function published(record = true): Promise<{ cache: ObjectCache; header: string; bytes: Buffer; key: string; objectPath: string }> {
  const dir = await tempDir();
  const header = join(dir, "a.h");
  await writeFile(header, "#define A 1\n");
  const cache = new ObjectCache(join(dir, "cache"));
  await cache.ready();
  const tmp = await cache.makeTmpDir();
  const bytes = Buffer.from("\x7fELF not really an object");
  await writeFile(join(tmp, "out.o"), bytes);
  const deps: DependencyHash[] = [{ path: header, sha256: hashFile(header)! }];
  const r = await cache.publish({ baseKey: BASE, objectTmpPath: join(tmp, "out.o"), deps, meta, record });
  expect(r.key).toBe(fullKey(BASE, deps));
  expect(r.bytes.equals(bytes)).toBe(true);
  return { cache, header, bytes, key: r.key, objectPath: r.objectPath };
}

describe("object store", () => {
  it("a published object is found by its base key, with its verified bytes", async () => {
    const { cache, bytes, key, objectPath } = await published();
    const hit = cache.lookupSync(BASE, hashFile);
    expect(hit?.key).toBe(key);
    expect(hit?.objectPath).toBe(objectPath);
    expect(hit?.bytes.equals(bytes)).toBe(true);
    expect(cache.lookupSync(sha256("another base key"), hashFile)).toBeUndefined();
    expect((await cache.list()).map((e) => e.key)).toEqual([key]);
  });

  it("a changed or removed dependency is a miss", async () => {
    const { cache, header } = await published();
    await writeFile(header, "#define A 2\n");
    expect(cache.lookupSync(BASE, hashFile)).toBeUndefined();
    await writeFile(header, "#define A 1\n"); // same content again: a hit again
    expect(cache.lookupSync(BASE, hashFile)).toBeDefined();
    await rm(header);
    expect(cache.lookupSync(BASE, hashFile)).toBeUndefined();
  });

  it("a damaged blob is a miss, never wrong bytes", async () => {
    const { cache, objectPath } = await published();
    await truncate(objectPath, 3);
    expect(cache.lookupSync(BASE, hashFile)).toBeUndefined();
  });

  it("record: false stores the blob but no entry (a racy build is never a hit)", async () => {
    const { cache, objectPath } = await published(false);
    expect(cache.lookupSync(BASE, hashFile)).toBeUndefined();
    expect(await readdir(join(objectPath, ".."))).toHaveLength(1);
  });
});

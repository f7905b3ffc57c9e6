// Stat stamps: a cache lookup reuses a dependency's recorded hash only while its stat is the one
// recorded and was outside the racy window when recorded; everything else is re-hashed. The
// bundled-header hash persisted in the cache falls back to hashing whatever changed.
import { readdir, readFile, stat, utimes, writeFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ObjectCache, type EntryRecord } from "../../src/cache/store.js";
import { compileUnits } from "../../src/compiler/index.js";
import { stampedTreeHash } from "../../src/compiler/bundled.js";
import { sha256Tree } from "../../src/util/hash.js";
import { hashFileSync, RACY_WINDOW_MS, stampOf, stampTrusted, statFile } from "../../src/util/stamp.js";
import { cleanupTempDirs, copyFixtures, tempDir } from "../compiler/helpers.js";

afterAll(cleanupTempDirs);

async function onlyEntry(cacheDir: string): Promise<{ path: string; entry: EntryRecord }> {
  const root = join(cacheDir, "v1", "entries");
  const out: string[] = [];
  for (const sub of await readdir(root)) for (const f of await readdir(join(root, sub))) out.push(join(root, sub, f));
  expect(out).toHaveLength(1);
  return { path: out[0]!, entry: JSON.parse(await readFile(out[0]!, "utf8")) as EntryRecord };
}

/** Pretends the entry's stamps were taken long after its dependencies were last changed. */
async function ageStamps(path: string, entry: EntryRecord): Promise<void> {
  await writeFile(path, JSON.stringify({ ...entry, stampedAt: Date.now() + 10 * RACY_WINDOW_MS }));
}

function countingHasher(): { hash: (p: string) => string | undefined; calls: string[] } {
  const calls: string[] = [];
  return { calls, hash: (p) => (calls.push(p), statFile(p) ? hashFileSync(p) : undefined) };
}

describe("dependency stamps", () => {
  it("records a stamp per dependency, trusted only outside the racy window", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    await compileUnits([{ source: join(fx, "add.c") }], { compiler: "clang", cacheDir });
    const { path, entry } = await onlyEntry(cacheDir);
    expect(entry.deps.length).toBeGreaterThan(0);
    expect(entry.deps.every((d) => d.stamp && d.stamp.size > 0)).toBe(true);
    expect(typeof entry.stampedAt).toBe("number");
    const cache = new ObjectCache(cacheDir);

    // Just written fixtures are inside the racy window: every dependency is re-hashed.
    const fresh = countingHasher();
    expect(cache.lookupSync(entry.baseKey, fresh.hash)?.key).toBe(entry.key);
    expect(fresh.calls.sort()).toEqual(entry.deps.map((d) => d.path).sort());

    // Stamps taken well after the last change: a hit without reading any dependency.
    const { entry: refreshed } = await onlyEntry(cacheDir);
    await ageStamps(path, refreshed);
    const aged = countingHasher();
    const hit = cache.lookupSync(entry.baseKey, aged.hash);
    expect(hit?.key).toBe(entry.key);
    expect(aged.calls).toEqual([]);
    expect(hit!.bytes.length).toBe(entry.size);
  });

  it("an edit that keeps the size and restores the mtime still invalidates (ctime)", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const header = join(fx, "inc", "config.h");
    const units = [{ source: join(fx, "add.c") }];
    const first = await compileUnits(units, { compiler: "clang", cacheDir });
    const { path, entry } = await onlyEntry(cacheDir);
    await ageStamps(path, entry);

    const before = await stat(header);
    const text = await readFile(header, "utf8");
    const edited = text.replace(/\d/, (d) => String((Number(d) + 1) % 10));
    expect(edited.length).toBe(text.length);
    expect(edited).not.toBe(text);
    await writeFile(header, edited);
    await utimes(header, before.atime, before.mtime); // mtime as recorded, same size

    const again = await compileUnits(units, { compiler: "clang", cacheDir });
    expect(again[0]!.cacheHit).toBe(false);
    expect(again[0]!.key).not.toBe(first[0]!.key);
  });

  it("a file changed within the racy window with an identical stat is never trusted", () => {
    const now = Date.now();
    type St = Parameters<typeof stampOf>[0];
    const st = { size: 10, mtimeMs: now - 500, ctimeMs: now - 500, ino: 42 } as St;
    const recorded = stampOf(st);
    // Recorded 0.5 s after the file's last change: the same stat later proves nothing.
    expect(stampTrusted(recorded, now, st)).toBe(false);
    // Recorded long after: the same stat means the same content.
    expect(stampTrusted(recorded, now + 2 * RACY_WINDOW_MS, st)).toBe(true);
    // Any stat difference (here only the ctime) is a re-hash.
    expect(stampTrusted(recorded, now + 2 * RACY_WINDOW_MS, { ...st, ctimeMs: now - 400 } as St)).toBe(false);
    expect(stampTrusted(undefined, now + 2 * RACY_WINDOW_MS, st)).toBe(false);
  });

  it("a touched dependency is re-hashed once, then its fresh stamp is recorded", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    await compileUnits([{ source: join(fx, "add.c") }], { compiler: "clang", cacheDir });
    const { path, entry } = await onlyEntry(cacheDir);
    const header = entry.deps[0]!.path;
    const old = new Date(Date.now() - 60_000);
    await utimes(header, old, old);
    await ageStamps(path, entry);
    const cache = new ObjectCache(cacheDir);
    const first = countingHasher();
    expect(cache.lookupSync(entry.baseKey, first.hash)?.key).toBe(entry.key);
    expect(first.calls).toEqual([header]);
    const { entry: rewritten } = await onlyEntry(cacheDir);
    expect(rewritten.key).toBe(entry.key);
    expect(rewritten.deps.map((d) => d.sha256)).toEqual(entry.deps.map((d) => d.sha256));
    expect(rewritten.deps[0]!.stamp).not.toEqual(entry.deps[0]!.stamp);
  });
});

describe("bundled header hash persisted with stamps", () => {
  it("equals sha256Tree, and a stale, missing or corrupt record falls back to hashing", async () => {
    const tree = await tempDir("orcjit-inc-");
    const stamps = await tempDir("orcjit-stamps-");
    await mkdir(join(tree, "tvm", "ffi"), { recursive: true });
    await writeFile(join(tree, "tvm", "ffi", "a.h"), "#define A 1\n");
    await writeFile(join(tree, "b.h"), "#define B 2\n");
    const h0 = stampedTreeHash(tree, stamps); // no record yet
    expect(h0).toBe(await sha256Tree(tree));
    const [record] = await readdir(stamps);
    expect(record).toMatch(/^include-.*\.json$/);
    expect(stampedTreeHash(tree, stamps)).toBe(h0);

    // Make the record look old (its stamps trusted) before each change, so each change must be
    // noticed through the stat stamps themselves, not through the racy window.
    const recPath = join(stamps, record!);
    const age = async (): Promise<void> => {
      const rec = JSON.parse(await readFile(recPath, "utf8"));
      await writeFile(recPath, JSON.stringify({ ...rec, stampedAt: Date.now() + 10 * RACY_WINDOW_MS }));
    };
    await age();
    expect(stampedTreeHash(tree, stamps)).toBe(h0);
    // An edit that keeps the size and the mtime.
    const a = join(tree, "tvm", "ffi", "a.h");
    const st = await stat(a);
    await writeFile(a, "#define A 3\n");
    await utimes(a, st.atime, st.mtime);
    const h1 = stampedTreeHash(tree, stamps);
    expect(h1).not.toBe(h0);
    expect(h1).toBe(await sha256Tree(tree));
    // A new file in a subdirectory, a removed file, a new directory.
    await age();
    await writeFile(join(tree, "tvm", "c.h"), "\n");
    expect(stampedTreeHash(tree, stamps)).toBe(await sha256Tree(tree));
    await age();
    await rm(join(tree, "b.h"));
    expect(stampedTreeHash(tree, stamps)).toBe(await sha256Tree(tree));
    await age();
    await mkdir(join(tree, "tvm", "ffi", "extra"));
    await writeFile(join(tree, "tvm", "ffi", "extra", "d.h"), "\n");
    expect(stampedTreeHash(tree, stamps)).toBe(await sha256Tree(tree));
    // A corrupt record, no record.
    await writeFile(recPath, "{not json");
    expect(stampedTreeHash(tree, stamps)).toBe(await sha256Tree(tree));
    await rm(recPath);
    expect(stampedTreeHash(tree, stamps)).toBe(await sha256Tree(tree));
  });
});

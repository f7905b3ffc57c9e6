// Stat stamps in real cache entries: a cache lookup reuses a dependency's recorded hash only
// while its stat is the one recorded and was outside the racy window when recorded; everything
// else is re-hashed. The rules without a compiler: stamp-rules.test.ts (unit project).
import { readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ObjectCache, type EntryRecord } from "../../src/cache/store.js";
import { compileUnits } from "../../src/compiler/index.js";
import { hashFileSync, RACY_WINDOW_MS, statFile } from "../../src/util/stamp.js";
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

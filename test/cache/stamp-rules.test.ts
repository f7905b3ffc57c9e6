// Stat-stamp rules without a compiler (unit project): when a recorded stamp may stand for a
// file's hash, and the bundled-header hash persisted with stamps, which falls back to hashing
// whatever changed. The same rules in real cache entries: stamps.test.ts.
import { readdir, readFile, stat, utimes, writeFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stampedTreeHash } from "../../src/compiler/bundled.js";
import { sha256Tree } from "../../src/util/hash.js";
import { RACY_WINDOW_MS, stampOf, stampTrusted } from "../../src/util/stamp.js";
import { cleanupTempDirs, tempDir } from "../compiler/helpers.js";

afterAll(cleanupTempDirs);

describe("stamp trust", () => {
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

// The object cache: racing processes, corrupt entries, list/size/prune/clear.
import { readdir, readFile, stat, truncate, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cache } from "../../src/cache/index.js";
import { ObjectCache } from "../../src/cache/store.js";
import { fullKey } from "../../src/cache/key.js";
import { compileUnits } from "../../src/compiler/index.js";
import { sha256File } from "../../src/util/hash.js";
import { cleanupTempDirs, copyFixtures, runNodeScript, tempDir, TOOLCHAINS, transpiledSrc } from "../compiler/helpers.js";

afterAll(cleanupTempDirs);
const worker = fileURLToPath(new URL("./race-worker.mjs", import.meta.url));

const runWorker = (args: string[], env: NodeJS.ProcessEnv) => runNodeScript(worker, args, env);

describe.each(TOOLCHAINS)("concurrent processes with $name", (tc) => {
  it("four processes building one key end with one valid entry", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const src = await transpiledSrc();
    const start = join(fx, "go");
    // A frozen include tree: native/include may be edited while the suite runs, and the bundled
    // header hash is part of every key.
    const env = { ...process.env, ORCJIT_INCLUDE_DIR: await tempDir("orcjit-inc-") };
    const runs = [0, 1, 2, 3].map(() => runWorker([src, start, join(fx, "add.cc"), cacheDir, tc.name], env));
    await writeFile(start, "");
    const results = await Promise.all(runs);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const outs = results.map((r) => JSON.parse(r.stdout) as { key: string; objectPath: string });
    expect(new Set(outs.map((o) => o.key)).size).toBe(1);
    const entries = await new ObjectCache(cacheDir).list();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.key).toBe(outs[0]!.key);
    // The surviving blob is intact: its name is its content hash.
    const blob = entries[0]!.objectPath;
    expect(await sha256File(blob)).toBe(blob.split("/").pop()!.replace(/\.o$/, ""));
    // No temp debris, and the entry is a hit for the next process.
    expect(await readdir(join(cacheDir, "v1", "tmp"))).toEqual([]);
    const again = await runWorker([src, start, join(fx, "add.cc"), cacheDir, tc.name], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ key: outs[0]!.key, cacheHit: true });
  });
});

describe("corrupt entries are detected and rebuilt", () => {
  async function setup(): Promise<{ fx: string; cacheDir: string; build: () => Promise<{ cacheHit: boolean; objectPath: string; key: string }> }> {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const build = async () => (await compileUnits([{ source: join(fx, "add.c") }], { compiler: "clang", cacheDir }))[0]!;
    return { fx, cacheDir, build };
  }

  it("truncated object", async () => {
    const { build } = await setup();
    const first = await build();
    await truncate(first.objectPath, 10);
    const second = await build();
    expect(second.cacheHit).toBe(false);
    expect((await stat(second.objectPath)).size).toBeGreaterThan(10);
    expect((await build()).cacheHit).toBe(true);
  });

  it("same-size garbage (hash mismatch)", async () => {
    const { build } = await setup();
    const first = await build();
    const size = (await stat(first.objectPath)).size;
    await writeFile(first.objectPath, Buffer.alloc(size, 0x41));
    const second = await build();
    expect(second.cacheHit).toBe(false);
    expect(await sha256File(second.objectPath)).toBe(second.objectPath.split("/").pop()!.replace(/\.o$/, ""));
    expect((await build()).cacheHit).toBe(true);
  });

  it("missing object and unreadable entry record", async () => {
    const { cacheDir, build } = await setup();
    const first = await build();
    const { rm } = await import("node:fs/promises");
    await rm(first.objectPath);
    expect((await build()).cacheHit).toBe(false);
    const c = new ObjectCache(cacheDir);
    await writeFile(c.entryPath(first.key), '{"format":1,"key":');
    expect((await build()).cacheHit).toBe(false);
    expect((await build()).cacheHit).toBe(true);
  });

  it("an entry that lies about its dependencies is not a hit", async () => {
    const { cacheDir, build } = await setup();
    const first = await build();
    const c = new ObjectCache(cacheDir);
    const rec = JSON.parse(await readFile(c.entryPath(first.key), "utf8"));
    rec.deps[0].sha256 = "0".repeat(64);
    await writeFile(c.entryPath(first.key), JSON.stringify(rec));
    expect((await build()).cacheHit).toBe(false);
    expect(fullKey(rec.baseKey, rec.deps)).not.toBe(first.key);
    expect((await build()).cacheHit).toBe(true);
  });
});

describe("cache API", () => {
  it("list, size, prune to a size (LRU), clear", async () => {
    const fx = await copyFixtures();
    const cacheDir = await tempDir();
    const objs = await compileUnits([{ source: join(fx, "add.c") }, { source: join(fx, "other.c") }, { source: join(fx, "add.cc") }], { compiler: "gcc", cacheDir });
    const list = await cache.list({ cacheDir });
    expect(list.map((e) => e.key).sort()).toEqual(objs.map((o) => o.key).sort());
    expect(list.every((e) => e.size > 0 && e.dependencies.length > 0 && e.compiler.startsWith("gcc"))).toBe(true);
    const total = await cache.size({ cacheDir });
    expect(total).toBeGreaterThan(list.reduce((n, e) => n + e.size, 0));

    // Make add.c the least recently used, add.cc the most.
    const c = new ObjectCache(cacheDir);
    const t = Date.now() / 1000;
    await utimes(c.entryPath(objs[0]!.key), t - 300, t - 300);
    await utimes(c.entryPath(objs[1]!.key), t - 200, t - 200);
    await utimes(c.entryPath(objs[2]!.key), t - 100, t - 100);
    const freed = await cache.prune({ cacheDir, maxBytes: total - 1 });
    expect(freed).toBeGreaterThan(0);
    const after = (await cache.list({ cacheDir })).map((e) => e.key);
    expect(after).not.toContain(objs[0]!.key);
    expect(after).toContain(objs[2]!.key);
    expect(await cache.size({ cacheDir })).toBeLessThanOrEqual(total - 1);

    // A lookup of the pruned unit rebuilds; the others still hit.
    const again = await compileUnits([{ source: join(fx, "add.c") }, { source: join(fx, "add.cc") }], { compiler: "gcc", cacheDir });
    expect(again.map((o) => o.cacheHit)).toEqual([false, true]);

    await cache.prune({ cacheDir, maxBytes: 0 });
    expect(await cache.list({ cacheDir })).toEqual([]);
    await cache.clear({ cacheDir });
    expect(await cache.size({ cacheDir })).toBe(0);
    expect((await compileUnits([{ source: join(fx, "add.c") }], { compiler: "gcc", cacheDir }))[0]!.cacheHit).toBe(false);
  });
});


// sccache for real: a private sccache server (its own port, cache directory and error log,
// stopped at the end) serves loadInline's compiles with clang-22 and gcc. The first build is
// an sccache miss; after the object cache is cleared the same build is an sccache hit (its
// counters say so), the objects still load and return the right result, the object key is the
// one a plain compile gets, and the dependencies are our own scan's (sccache is never asked
// for a depfile). sccache cannot cache a PCH compile, so the prelude is included as text.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cache } from "../../src/cache/index.js";
import { ExecutionSession } from "../../src/jit/index.js";
import { loadInline } from "../../src/project/load-inline.js";
import { TOOLCHAINS, cleanupTempDirs, freePort, tempDir } from "./helpers.js";

let env: NodeJS.ProcessEnv;
let started = false;


const sccache = (...args: string[]): string => execFileSync("sccache", args, { env, encoding: "utf8", timeout: 60_000 });

interface Stats {
  stats: { compile_requests: number; cache_hits: { counts: Record<string, number> }; cache_misses: { counts: Record<string, number> } };
}
const hits = (s: Stats): number => Object.values(s.stats.cache_hits.counts).reduce((a, b) => a + b, 0);
const misses = (s: Stats): number => Object.values(s.stats.cache_misses.counts).reduce((a, b) => a + b, 0);
const stats = (): Stats => JSON.parse(sccache("--show-stats", "--stats-format", "json")) as Stats;

beforeAll(async () => {
  const dir = await tempDir("orcjit-sccache-");
  env = {
    ...process.env,
    SCCACHE_DIR: join(dir, "sccache"),
    SCCACHE_SERVER_PORT: String(await freePort()),
    SCCACHE_IDLE_TIMEOUT: "0",
    SCCACHE_ERROR_LOG: join(dir, "server.log"),
  };
  for (const k of ["SCCACHE_RECACHE", "SCCACHE_NO_DAEMON", "RUSTC_WRAPPER", "SCCACHE_BUCKET", "SCCACHE_REDIS", "SCCACHE_MEMCACHED", "SCCACHE_GCS_BUCKET", "SCCACHE_AZURE_CONNECTION_STRING"]) delete env[k];
  sccache("--start-server");
  started = true;
});

afterAll(async () => {
  if (started) sccache("--stop-server");
  await cleanupTempDirs();
});

describe.each(TOOLCHAINS)("sccache with $name", (tc) => {
  it("a second build with a cleared object cache is an sccache hit; same key, our own dependency scan", async () => {
    const dir = await tempDir();
    const cacheDir = join(dir, "cache");
    const opts = { name: `sc_${tc.name}`, cppSources: "int64_t add(int64_t a, int64_t b) { return a + b; }", functions: ["add"] as const, cacheDir, compiler: tc.cxx, env };
    const before = stats();
    const first = await loadInline({ ...opts, launcher: "sccache" });
    expect(first.add(40, 2)).toBe(42);
    const afterFirst = stats();
    expect(afterFirst.stats.compile_requests).toBeGreaterThan(before.stats.compile_requests);
    expect(misses(afterFirst)).toBeGreaterThan(misses(before));
    const key = first.objects[0]!.key;
    first.dispose();
    await cache.clear({ cacheDir });
    // Same name (same generated file path: sccache hashes it) and a new session.
    const second = await loadInline({ ...opts, launcher: "sccache", session: new ExecutionSession() });
    expect(second.add(40, 2)).toBe(42);
    expect(second.objects[0]!.cacheHit).toBe(false); // our cache was empty: the compile ran, through sccache
    expect(hits(stats())).toBeGreaterThan(hits(afterFirst));
    expect(second.objects[0]!.key).toBe(key);
    expect(second.objects[0]!.dependencies.some((d) => d.endsWith("tvm/ffi/function.h"))).toBe(true);
    second.dispose();
    // Without the launcher, after clearing again: the same key (a launcher is not part of it).
    await cache.clear({ cacheDir });
    const plain = await loadInline({ ...opts, session: new ExecutionSession() });
    expect(plain.objects[0]!.cacheHit).toBe(false);
    expect(plain.objects[0]!.key).toBe(key);
    plain.dispose();
  });
});

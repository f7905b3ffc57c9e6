// Several processes build and load the same modules against one cache at once (8 × 20):
// no corruption, no lost builds, no hang. A process killed mid-build leaves nothing that
// blocks the next build.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { compileUnits, ExecutionSession } from "../../src/index.js";
import { sha256File } from "../../src/util/hash.js";
import { ensureBuilt } from "../cli/helpers.js";
import { record, ROOT, tmp } from "./helpers.js";

const worker = fileURLToPath(new URL("./concurrency-worker.mjs", import.meta.url));
const K1 = `#include <tvm/ffi/c_api.h>
int __tvm_ffi_k1(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) { r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = a[0].v_int64 + 1; return 0; }
`;
const K2 = `#include <tvm/ffi/c_api.h>
#include <string>
extern "C" int __tvm_ffi_k2(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) { std::string t(a[0].v_int64, 'x'); r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = 2 * (int64_t)t.size(); return 0; }
`;

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function walkFiles(d: string, out: string[] = []): string[] {
  if (!existsSync(d)) return out;
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walkFiles(p, out);
    else out.push(p);
  }
  return out;
}

describe("concurrency", () => {
  it("8 processes × 20 iterations build and load the same modules against one cache", async () => {
    ensureBuilt();
    const dir = tmp("conc");
    const cacheDir = join(dir, "cache");
    writeFileSync(join(dir, "k1.c"), K1);
    writeFileSync(join(dir, "k2.cc"), K2);
    const P = 8;
    const N = 20;
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: P }, (_, id) => run([worker, join(ROOT, "dist"), cacheDir, String(N), String(id), dir])));
    const ms = performance.now() - t0;
    for (const r of results) {
      expect(r.signal, r.stderr).toBeNull();
      expect(r.code, r.stderr).toBe(0);
    }
    const stats = results.map((r) => JSON.parse(r.stdout) as { iterations: number; hits: number; misses: number; calls: number });
    expect(stats.reduce((s, x) => s + x.iterations, 0)).toBe(P * N);
    // Every blob in the cache is intact (its name is its hash).
    const blobs = walkFiles(cacheDir).filter((p) => p.endsWith(".o") && p.includes("/blobs/"));
    expect(blobs.length).toBeGreaterThan(0);
    for (const b of blobs) expect(await sha256File(b)).toBe(b.split("/").pop()!.replace(/\.o$/, ""));
    // And a fresh build afterwards is all hits.
    const again = await compileUnits([{ source: join(dir, "k1.c") }, { source: join(dir, "k2.cc") }], { cacheDir, compiler: "clang" });
    expect(again.every((o) => o.cacheHit)).toBe(true);
    const hits = stats.reduce((s, x) => s + x.hits, 0);
    const misses = stats.reduce((s, x) => s + x.misses, 0);
    record("concurrency", { door: "concurrency", input: `${P} processes × ${N} iterations (loadInline ×2 + compileUnits ×2 + load + call, some forced rebuilds)`, count: P * N, held: `all ${P * N} iterations correct; ${blobs.length} blobs hash-intact; compile hits/misses ${hits}/${misses}; later build all hits`, durationMs: Math.round(ms) });
  }, 600_000);

  it("a process killed mid-build leaves nothing that blocks the next build", async () => {
    ensureBuilt();
    const dir = tmp("kill");
    const cacheDir = join(dir, "cache");
    writeFileSync(join(dir, "k1.c"), K1);
    const started = join(dir, "started.fifo");
    execFileSync("mkfifo", [started, join(dir, "block.fifo")]);
    // A compiler that announces it started, then blocks until killed (no sleeps: FIFOs).
    const cc = join(dir, "slowcc");
    writeFileSync(cc, `#!/bin/sh\ncase " $* " in *" -c "*) echo started > "${started}"; read x < "${join(dir, "block.fifo")}";; esac\nexec clang-22 "$@"\n`);
    chmodSync(cc, 0o755);
    const script = join(dir, "child.mjs");
    writeFileSync(script, `const { compileUnits } = await import(${JSON.stringify(join(ROOT, "dist/index.js"))});
await compileUnits([{ source: ${JSON.stringify(join(dir, "k1.c"))} }], { cacheDir: ${JSON.stringify(cacheDir)}, compiler: ${JSON.stringify(cc)} });
console.log("finished");`);
    const child = spawn(process.execPath, [script], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let childErr = "";
    child.stderr.on("data", (d) => (childErr += d));
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    // Wait until the compiler runs (reading the FIFO blocks until it writes), then kill the group.
    // If the child dies before its compiler starts, unblock the read ourselves (and fail).
    let announced = false;
    void exited.then((code) => { if (!announced) writeFileSync(started, `child exited early (${code})\n`); });
    const fh = await open(started, "r");
    const line = (await fh.readFile("utf8")).trim();
    await fh.close();
    announced = true;
    expect(line, childErr).toBe("started");
    process.kill(-child.pid!, "SIGKILL");
    await exited;
    // The next build (the real compiler) is not blocked and gets a correct object.
    const t0 = performance.now();
    const o = (await compileUnits([{ source: join(dir, "k1.c") }], { cacheDir, compiler: "clang-22" }))[0]!;
    expect(o.cacheHit).toBe(false);
    const s = new ExecutionSession();
    const lib = s.createLibrary("k");
    lib.add(o.objectPath);
    expect(lib.getFunction("k1")(1)).toBe(2);
    s.dispose();
    const hit = (await compileUnits([{ source: join(dir, "k1.c") }], { cacheDir, compiler: "clang-22" }))[0]!;
    expect(hit.cacheHit).toBe(true);
    record("concurrency", { door: "concurrency", input: "process SIGKILLed while its compiler runs", count: 1, held: "next build neither blocked nor served a partial object; then a hit", durationMs: Math.round(performance.now() - t0) });
  }, 120_000);
});

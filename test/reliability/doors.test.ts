// Bad input at the compiler and cache doors, and the security properties of both:
// compiler missing / crashing / killed by SIGXFSZ (a "full disk" via RLIMIT_FSIZE), sources
// that do not exist, hostile file names and flags (no shell anywhere), a cache that cannot be
// created, a cache entry replaced by garbage or by a different valid object (verified by hash:
// rebuilt, never loaded), cache directories private (0700).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CacheError, CompileError, compileUnits, ExecutionSession, loadInline, ToolchainError } from "../../src/index.js";
import { ensureBuilt } from "../cli/helpers.js";
import { record, ROOT, tmp } from "./helpers.js";

const SRC = `#include <tvm/ffi/c_api.h>
int __tvm_ffi_seven(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) { r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = 7; return 0; }
`;

function fakeCompiler(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  // --version / -dumpmachine go to the real compiler so the toolchain is identified as clang.
  writeFileSync(path, `#!/bin/sh\ncase "$*" in *--version*|*-dumpmachine*|*-print*) exec clang-22 "$@";; esac\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function callSeven(objectPath: string): unknown {
  const s = new ExecutionSession();
  try {
    const lib = s.createLibrary("seven");
    lib.add(objectPath);
    return lib.getFunction("seven")();
  } finally {
    s.dispose();
  }
}

describe("compiler door", () => {
  it("a compiler that does not exist → ToolchainError", async () => {
    const dir = tmp("nocc");
    writeFileSync(join(dir, "a.c"), SRC);
    const e = await compileUnits([{ source: join(dir, "a.c") }], { compiler: join(dir, "no-such-cc"), cacheDir: join(dir, "cache") }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(ToolchainError);
    expect((e as Error).message).toMatch(/no-such-cc/);
    record("doors", { door: "compiler", input: "compiler path that does not exist", count: 1, held: `ToolchainError: ${(e as Error).message.slice(0, 80)}` });
  });

  for (const [what, body, msg] of [
    ["segfaults (SIGSEGV)", 'kill -SEGV $$', /terminated by SIGSEGV/],
    ["exits 139 without output", "exit 139", /exited with status 139/],
    ["exits 0 without an object", "exit 0", /produced no object file/],
    ["writes a garbage object", 'for a; do case "$prev" in -o) printf garbage > "$a";; esac; prev="$a"; done; exit 0', /./],
  ] as const) {
    it(`a compiler that ${what} → clean error, cache unaffected`, async () => {
      const dir = tmp("badcc");
      writeFileSync(join(dir, "a.c"), SRC);
      const cc = fakeCompiler(dir, "cc", body);
      const cacheDir = join(dir, "cache");
      const r = await compileUnits([{ source: join(dir, "a.c") }], { compiler: cc, cacheDir }).catch((x: Error) => x);
      if (what.startsWith("writes a garbage")) {
        // The compile "succeeded": loading the object is what must fail cleanly.
        const objs = r as Awaited<ReturnType<typeof compileUnits>>;
        const e = (() => { try { callSeven(objs[0]!.objectPath); } catch (x) { return x as Error; } })();
        expect(e?.name).toBe("ObjectFileError");
        record("doors", { door: "compiler", input: `compiler that ${what}`, count: 1, held: `load → ObjectFileError` });
        return;
      }
      expect(r).toBeInstanceOf(CompileError);
      expect((r as Error).message).toMatch(msg);
      // The real compiler then builds the same source into the same cache.
      const ok = (await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir }))[0]!;
      expect(ok.cacheHit).toBe(false);
      expect(callSeven(ok.objectPath)).toBe(7);
      record("doors", { door: "compiler", input: `compiler that ${what}`, count: 1, held: `CompileError "${(r as Error).message.slice(0, 60)}"; next real build fine` });
    });
  }

  it("a source that does not exist → CompileError naming it", async () => {
    const dir = tmp("nosrc");
    const e = await compileUnits([{ source: join(dir, "missing.c") }], { compiler: "clang-22", cacheDir: join(dir, "cache") }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toMatch(/missing\.c/);
    record("doors", { door: "compiler", input: "source file that does not exist", count: 1, held: `${(e as Error).constructor.name} naming the file` });
  });

  it("full disk while building (RLIMIT_FSIZE child): clean failure, nothing published, next build fine", async () => {
    const dir = tmp("fsize");
    writeFileSync(join(dir, "a.c"), SRC);
    const cacheDir = join(dir, "cache");
    const script = `
      process.on("SIGXFSZ", () => {});  // writes past the limit then fail with EFBIG instead of killing node
      const { compileUnits } = await import(${JSON.stringify(join(ROOT, "dist/compiler/index.js"))});
      try { await compileUnits([{ source: ${JSON.stringify(join(dir, "a.c"))} }], { compiler: "clang-22", cacheDir: ${JSON.stringify(cacheDir)} }); console.log("BUILT"); }
      catch (e) { console.log("FAILED " + e.constructor.name + ": " + e.message.split("\\n")[0]); process.exitCode = 3; }`;
    writeFileSync(join(dir, "child.mjs"), script);
    ensureBuilt();
    // 512 B: smaller than any object or depfile, so the first big write fails (EFBIG / SIGXFSZ).
    const r = spawnSync("prlimit", ["--fsize=512", process.execPath, join(dir, "child.mjs")], { encoding: "utf8" });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.stdout + r.stderr).toMatch(/FAILED (CompileError|CacheError)/);
    const ok = (await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir }))[0]!;
    expect(ok.cacheHit).toBe(false);
    expect(callSeven(ok.objectPath)).toBe(7);
    record("doors", { door: "cache", input: "file-size limit 512 B during a build (RLIMIT_FSIZE)", count: 1, held: `${r.stdout.trim().slice(0, 70)}; no partial hit; next build fine` });
  });
});

describe("security", () => {
  it("hostile file names, flags and CC values are never run through a shell", async () => {
    const dir = tmp("shell");
    const sub = join(dir, "dir with spaces; and 'quotes' & $(touch pwned-dir)");
    mkdirSync(sub);
    const names = ["$(touch pwned).c", "a b'c\"d`touch pwned-bq`.c", "-o pwned.c", "x;touch pwned-semi;.c"];
    for (const n of names) writeFileSync(join(sub, n), SRC);
    const cc = fakeCompiler(dir, "cc with space", 'exec clang-22 "$@"');
    const objects = await compileUnits(
      names.map((n) => ({ source: join(sub, n), defines: { INJECT: "$(touch pwned-define)" } })),
      { compiler: cc, cacheDir: join(dir, "cache $(touch pwned-cache)"), extraCflags: ["-DQ=`touch pwned-flag`", "-Wno-unused-command-line-argument"], cwd: sub },
    );
    expect(objects).toHaveLength(names.length);
    for (const o of objects) expect(callSeven(o.objectPath)).toBe(7);
    const planted = [dir, sub, process.cwd(), ROOT].flatMap((d) => readdirSync(d).filter((f) => f.startsWith("pwned")));
    expect(planted).toEqual([]);
    // CC from the environment: split into words, never evaluated.
    const envCc = await compileUnits([{ source: join(sub, names[0]!) }], { cacheDir: join(dir, "c2"), env: { ...process.env, CC: "clang-22 '-DZ=$(touch pwned-env)'" }, force: true }).catch((x: Error) => x);
    expect(existsSync(join(sub, "pwned-env")) || existsSync(join(ROOT, "pwned-env"))).toBe(false);
    record("doors", { door: "security", input: "file names/dirs/flags/defines/CC with $(), backticks, ;, quotes, spaces, leading -", count: names.length + 2, held: `all compiled, nothing executed (CC env → ${envCc instanceof Error ? envCc.constructor.name : "built"})` });
  });

  it("cache directories are private (0700)", async () => {
    const dir = tmp("perm");
    writeFileSync(join(dir, "a.c"), SRC);
    const cacheDir = join(dir, "cache");
    const o = (await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir }))[0]!;
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    const modes: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) { modes.push((statSync(p).mode & 0o777).toString(8)); walk(p); }
      }
    };
    walk(cacheDir);
    // Everything below the private root is unreachable for other users whatever its own mode.
    expect(statSync(join(cacheDir, readdirSync(cacheDir)[0]!)).mode & 0o077).toBe(0);
    expect(o.objectPath.startsWith(cacheDir)).toBe(true);
    record("doors", { door: "security", input: "cache root and layout directories", count: modes.length + 1, held: `root 0700, layout dirs ${[...new Set(modes)].join("/")}` });
  });

  it("a planted object under a cache entry is detected by hash and rebuilt, not loaded", async () => {
    const dir = tmp("plant");
    writeFileSync(join(dir, "a.c"), SRC);
    writeFileSync(join(dir, "evil.c"), SRC.replace("v_int64 = 7", "v_int64 = 666"));
    const cacheDir = join(dir, "cache");
    const good = (await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir }))[0]!;
    execFileSync("clang-22", ["-c", "-fPIC", `-I${join(ROOT, "native/include")}`, join(dir, "evil.c"), "-o", join(dir, "evil.o")]);
    for (const [how, plant] of [
      ["a different valid object", () => copyFileSync(join(dir, "evil.o"), good.objectPath)],
      ["garbage bytes", () => writeFileSync(good.objectPath, "garbage")],
      ["an empty file", () => writeFileSync(good.objectPath, "")],
    ] as const) {
      chmodSync(good.objectPath, 0o644);
      plant();
      const again = (await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir }))[0]!;
      expect(again.cacheHit, how).toBe(false);
      expect(callSeven(again.objectPath), how).toBe(7);
      record("doors", { door: "security", input: `cache blob replaced by ${how}`, count: 1, held: "hash mismatch → rebuilt; the planted code never loaded" });
    }
    // loadInline goes through the same verification.
    const s = new ExecutionSession();
    const mod = await loadInline({ name: "plant", cSources: SRC, cacheDir, session: s });
    for (const o of mod.objects) { chmodSync(o.objectPath, 0o644); copyFileSync(join(dir, "evil.o"), o.objectPath); }
    s.dispose();
    const s2 = new ExecutionSession();
    const again = await loadInline({ name: "plant", cSources: SRC, cacheDir, session: s2 });
    expect(again.getFunction("seven")()).toBe(7);
    s2.dispose();
  });

  it("an entry record replaced by garbage is ignored and rebuilt", async () => {
    const dir = tmp("entry");
    writeFileSync(join(dir, "a.c"), SRC);
    const cacheDir = join(dir, "cache");
    await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir });
    const jsons: string[] = [];
    const walk = (d: string): void => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (p.endsWith(".json")) jsons.push(p); } };
    walk(cacheDir);
    expect(jsons.length).toBeGreaterThan(0);
    for (const j of jsons) writeFileSync(j, readFileSync(j, "utf8").slice(0, 10) + "\u0000garbage{");
    const again = (await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir }))[0]!;
    expect(again.cacheHit).toBe(false);
    expect(callSeven(again.objectPath)).toBe(7);
    record("doors", { door: "cache", input: "every cache record (.json) truncated + garbage", count: jsons.length, held: "treated as a miss, rebuilt" });
  });

  it("a cache directory that cannot be created or written → CacheError", async () => {
    const dir = tmp("nocache");
    writeFileSync(join(dir, "a.c"), SRC);
    writeFileSync(join(dir, "file"), "a regular file");
    const e = await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir: join(dir, "file", "cache") }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(CacheError);
    expect((e as Error).message).toMatch(/ENOTDIR|not a directory/);
    let held = "CacheError (ENOTDIR)";
    if (process.getuid?.() !== 0) {
      // Permission bits only bind non-root users.
      const ro = join(dir, "ro");
      mkdirSync(ro, { mode: 0o500 });
      const e2 = await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir: join(ro, "cache") }).catch((x: Error) => x);
      expect(e2).toBeInstanceOf(CacheError);
      held += "; read-only parent → CacheError (EACCES)";
    }
    record("doors", { door: "cache", input: "cache path under a regular file" + (process.getuid?.() !== 0 ? " / read-only dir" : ""), count: 1, held });
  });
});

describe("cache root ownership", () => {
  it("a pre-existing cache root that others can write keeps its mode (store in a private subdirectory); one owned by another user is refused", async () => {
    const dir = tmp("owner");
    writeFileSync(join(dir, "a.c"), SRC);
    const open = join(dir, "open-cache");
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const o = (await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir: open }))[0]!;
    expect(statSync(open).mode & 0o777).toBe(0o777); // never chmodded: the toolkit did not create it
    expect(o.objectPath.startsWith(join(open, `user-${process.getuid?.() ?? 0}`, "v1"))).toBe(true);
    expect(callSeven(o.objectPath)).toBe(7);
    let held = "0777 root kept 0777, store in user-<uid>/ (0700)";
    if (process.getuid?.() === 0) {
      // Only root can give a directory away: simulate a root pre-created by another user.
      const foreign = join(dir, "foreign-cache");
      mkdirSync(foreign, { mode: 0o777 });
      execFileSync("chown", ["12345:12345", foreign]);
      const e = await compileUnits([{ source: join(dir, "a.c") }], { compiler: "clang-22", cacheDir: foreign }).catch((x: Error) => x);
      expect(e).toBeInstanceOf(CacheError);
      expect((e as Error).message).toMatch(/uid 12345/);
      held += "; root owned by another uid → CacheError";
    }
    record("doors", { door: "security", input: "cache root pre-created 0777 / owned by another user", count: 2, held });
  });
});

// Inputs of the compiler layer that used to hang, go stale or mislead (issue 19, items 9, 10,
// 14, 17, 19): FIFOs, response/config files, future mtimes, errors without a location, a
// concurrent `cache clear`, malformed options.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ObjectCache } from "../../src/cache/store.js";
import { compileUnits } from "../../src/compiler/index.js";
import { CompileError } from "../../src/errors.js";
import { sha256 } from "../../src/util/hash.js";
import { cleanupTempDirs, tempDir, TOOLCHAINS } from "./helpers.js";

afterAll(cleanupTempDirs);

const mkfifo = (p: string): void => void execFileSync("mkfifo", [p]);

describe("non-regular files where a file is expected (never blocks)", () => {
  it("a source that is a FIFO is a CompileError naming it", async () => {
    const dir = await tempDir();
    mkfifo(join(dir, "a.c"));
    const e = await compileUnits([{ source: join(dir, "a.c") }], { compiler: "gcc", cacheDir: join(dir, "cache") }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CompileError);
    expect((e as Error).message).toMatch(/a\.c:1:1: error: cannot read source file: .*a\.c is a FIFO \(named pipe\), not a regular file/);
  });

  it("a header replaced by a FIFO after a build is refused before the compiler starts", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "h.h"), "#define V 1\n");
    writeFileSync(join(dir, "a.c"), '#include "h.h"\nint v(void) { return V; }\n');
    const opts = { compiler: "gcc", cacheDir: join(dir, "cache") };
    await compileUnits([{ source: join(dir, "a.c") }], opts);
    rmSync(join(dir, "h.h"));
    mkfifo(join(dir, "h.h"));
    const e = await compileUnits([{ source: join(dir, "a.c") }], opts).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CompileError);
    expect((e as Error).message).toMatch(/included file .*h\.h is a FIFO \(named pipe\), not a regular file/);
  });

  it("a response file that is a FIFO is refused", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "a.c"), "int v(void) { return 1; }\n");
    mkfifo(join(dir, "flags.rsp"));
    const e = await compileUnits([{ source: join(dir, "a.c"), flags: [`@${join(dir, "flags.rsp")}`] }], { compiler: "gcc", cacheDir: join(dir, "cache") }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CompileError);
    expect((e as Error).message).toMatch(/response file .*flags\.rsp is a FIFO/);
  });
});

describe.each(TOOLCHAINS)("files named by flags are part of the key ($name)", (tc) => {
  it("editing a response file (also one named inside another) rebuilds with the new contents", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "a.c"), "int v(void) { return VAL; }\n");
    writeFileSync(join(dir, "outer.rsp"), "-O1 @inner.rsp\n");
    writeFileSync(join(dir, "inner.rsp"), "-DVAL=1\n");
    const opts = { compiler: tc.name, cacheDir: join(dir, "cache"), cwd: dir };
    const unit = { source: "a.c", flags: ["@outer.rsp"] };
    const [a] = await compileUnits([unit], opts);
    const [b] = await compileUnits([unit], opts);
    expect(b!.cacheHit).toBe(true);
    writeFileSync(join(dir, "inner.rsp"), "-DVAL=2\n");
    const [c] = await compileUnits([unit], opts);
    expect(c!.cacheHit).toBe(false);
    expect(c!.key).not.toBe(a!.key);
    expect(sha256(readFileSync(c!.objectPath))).not.toBe(sha256(readFileSync(a!.objectPath)));
    writeFileSync(join(dir, "outer.rsp"), "-O2 @inner.rsp\n");
    const [d] = await compileUnits([unit], opts);
    expect(d!.cacheHit).toBe(false);
  });
});

describe("clang configuration files", () => {
  it("--config=file and --config file: editing the file rebuilds", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "a.c"), "int v(void) { return VAL; }\n");
    writeFileSync(join(dir, "my.cfg"), "-DVAL=1\n");
    const opts = { compiler: "clang", cacheDir: join(dir, "cache"), cwd: dir };
    for (const flags of [[`--config=${join(dir, "my.cfg")}`], ["--config", join(dir, "my.cfg")]]) {
      writeFileSync(join(dir, "my.cfg"), "-DVAL=1\n");
      const [a] = await compileUnits([{ source: "a.c", flags }], opts);
      expect((await compileUnits([{ source: "a.c", flags }], opts))[0]!.cacheHit).toBe(true);
      writeFileSync(join(dir, "my.cfg"), "-DVAL=2\n");
      const [c] = await compileUnits([{ source: "a.c", flags }], opts);
      expect(c!.cacheHit).toBe(false);
      expect(c!.key).not.toBe(a!.key);
    }
  });
});

describe("a header dated in the future", () => {
  it("is cached (the second build is a hit) and warned about once", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "h.h"), "#define V 1\n");
    writeFileSync(join(dir, "a.c"), '#include "h.h"\nint v(void) { return V; }\n');
    const future = new Date(Date.now() + 24 * 3600 * 1000);
    utimesSync(join(dir, "h.h"), future, future);
    utimesSync(join(dir, "a.c"), future, future);
    const opts = { compiler: "gcc", cacheDir: join(dir, "cache") };
    const [a] = await compileUnits([{ source: join(dir, "a.c") }], opts);
    expect(a!.cacheHit).toBe(false);
    expect(a!.warnings.map((w) => w.message).join("\n")).toMatch(/h\.h has a modification time .* in the future/);
    const [b] = await compileUnits([{ source: join(dir, "a.c") }], opts);
    expect(b!.cacheHit).toBe(true);
    // an edit is still seen (content hash), future mtime or not
    writeFileSync(join(dir, "h.h"), "#define V 2\n");
    utimesSync(join(dir, "h.h"), future, future);
    const [c] = await compileUnits([{ source: join(dir, "a.c") }], opts);
    expect(c!.cacheHit).toBe(false);
    expect(c!.warnings.some((w) => /in the future/.test(w.message))).toBe(false); // once per file and process
  });
});

describe.each(TOOLCHAINS)("errors without a file location keep the compiler's words ($name)", (tc) => {
  it("an unknown option", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "a.c"), "int v(void) { return 1; }\n");
    const e = await compileUnits([{ source: join(dir, "a.c"), flags: ["-fno-such-option-orcjit"] }], { compiler: tc.name, cacheDir: join(dir, "cache") }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CompileError);
    expect((e as Error).message).toMatch(/-fno-such-option-orcjit/);
  });

  it("an assembler error", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "a.c"), 'int v(void) { __asm__("not_an_instruction_orcjit %eax"); return 1; }\n');
    const e = await compileUnits([{ source: join(dir, "a.c"), flags: tc.name === "clang" ? ["-fno-integrated-as"] : [] }], { compiler: tc.name, cacheDir: join(dir, "cache") }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CompileError);
    expect((e as Error).message).toMatch(/not_an_instruction_orcjit/);
  });
});

describe("a concurrent `cache clear`", () => {
  it("does not fail builds: the tree is recreated and the compile retried", async () => {
    const dir = await tempDir();
    const cacheDir = join(dir, "cache");
    const units = Array.from({ length: 6 }, (_, i) => {
      writeFileSync(join(dir, `u${i}.c`), `int u${i}(void) { return ${i}; }\n`);
      return { source: join(dir, `u${i}.c`) };
    });
    const rounds: string[] = [];
    let clears = 0;
    for (let round = 0; round < 4; round++) {
      // Three clears (as `orcjit cache clear` would) while six units build, two at a time.
      const clearer = (async () => {
        for (let k = 0; k < 3; k++) {
          await new Promise((r) => setTimeout(r, 40 + 30 * round));
          await new ObjectCache(cacheDir).clear();
          clears++;
        }
      })();
      const r = await compileUnits(units, { compiler: "gcc", cacheDir, force: true, jobs: 2 }).then(
        (os) => `ok ${os.length}`,
        (e: Error) => `FAILED ${e.message}`,
      );
      await clearer;
      rounds.push(r);
    }
    expect(clears).toBe(12);
    expect(rounds).toEqual(["ok 6", "ok 6", "ok 6", "ok 6"]);
    // and the cache works afterwards
    expect((await compileUnits(units, { compiler: "gcc", cacheDir })).length).toBe(6);
  });
});

describe("malformed options are TypeErrors naming the option", () => {
  it("optLevel, flags, defines, jobs, units", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "a.c"), "int v(void) { return 1; }\n");
    const unit = { source: join(dir, "a.c") };
    const cacheDir = join(dir, "cache");
    const cases: Array<[unknown, unknown, RegExp]> = [
      [[unit], { optLevel: 7 }, /optLevel must be one of 0, 1, 2, 3, "s", got number 7/],
      [[unit], { optLevel: "fast" }, /optLevel must be one of/],
      [[unit], { extraCflags: ["-O1", 42] }, /extraCflags\[1\] must be a string, got number 42/],
      [[unit], { extraCflags: "-O1" }, /extraCflags must be an array of strings/],
      [[{ ...unit, flags: [{}] }], {}, /units\[0\]\.flags\[0\] must be a string, got an object/],
      [[{ ...unit, defines: { X: 1 } }], {}, /units\[0\]\.defines\.X must be a string or true/],
      [[unit], { jobs: 0 }, /jobs must be a positive integer/],
      [[{ source: 7 }], {}, /units\[0\]\.source must be a non-empty path string/],
      [[unit], { compiler: 5 }, /compiler must be a non-empty string/],
    ];
    for (const [units, o, re] of cases) {
      const e = await compileUnits(units as unknown as Parameters<typeof compileUnits>[0], { cacheDir, ...(o as object) }).catch((x: unknown) => x);
      expect(e, String(re)).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(re);
    }
    expect(existsSync(join(cacheDir, "v1", "tmp"))).toBe(false); // nothing ran
  });
});

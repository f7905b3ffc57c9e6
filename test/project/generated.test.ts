// Generated export wrappers and loadInline inputs under attack (issue 19, items 18 and 19):
// odd source paths, colliding flat names, a symlinked .orcjit/, names too long for a file
// system, a cache that cannot be written.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { OrcJitError } from "../../src/errors.js";
import { includeLine, wrapperName } from "../../src/project/exports.js";
import { loadInline, loadProject } from "../../src/index.js";
import { tempDir, writeFiles } from "../cli/helpers.js";

const options = (dir: string) => ({ cacheDir: path.join(dir, ".cache"), env: {} });
const twice = (name: string) => `#include <cstdint>\nint64_t ${name}(int64_t x) { return 2 * x; }\n`;

describe("export wrappers", () => {
  test("a/b.cc and a__b.cc get different wrappers (both export, no false duplicate)", async () => {
    expect(wrapperName("a/b.cc")).not.toBe(wrapperName("a__b.cc"));
    const dir = tempDir();
    writeFiles(dir, {
      "orcjit.yaml": "version: 1\nlibraries:\n  lib:\n    sources:\n      - { path: a/b.cc, functions: [f1] }\n      - { path: a__b.cc, functions: [f2] }\n",
      "a/b.cc": twice("f1"),
      "a__b.cc": twice("f2"),
    });
    const project = await loadProject(dir, options(dir));
    try {
      await project.build();
      await project.load();
      expect(project.library("lib").getFunction("f1")(21n)).toBe(42);
      expect(project.library("lib").getFunction("f2")(4n)).toBe(8);
    } finally {
      project.dispose();
    }
  });

  test('source paths with a backslash and a double quote compile and export (header-name rules, not string escapes)', async () => {
    expect(includeLine("/p/a\\b.cc")).toBe('#include "/p/a\\b.cc"');
    expect(includeLine('/p/we"ird.cc')).toBe('#include </p/we"ird.cc>');
    expect(() => includeLine("/p/new\nline.cc")).toThrow(/cannot be named in a C #include/);
    const dir = tempDir();
    const odd = 'we"ird\\dir';
    mkdirSync(path.join(dir, odd));
    writeFileSync(path.join(dir, odd, "k.cc"), twice("k"));
    writeFileSync(path.join(dir, "orcjit.yaml"), `version: 1\nlibraries:\n  lib:\n    sources:\n      - { path: ${JSON.stringify(`${odd}/k.cc`)}, functions: [k] }\n`);
    const project = await loadProject(dir, options(dir));
    try {
      await project.build();
      await project.load();
      expect(project.library("lib").getFunction("k")(5n)).toBe(10);
    } finally {
      project.dispose();
    }
  });

  test("a source path with a newline is a clear error, not a broken wrapper", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "a\nb"));
    writeFileSync(path.join(dir, "a\nb", "k.cc"), twice("k"));
    writeFileSync(path.join(dir, "orcjit.yaml"), `version: 1\nlibraries:\n  lib:\n    sources:\n      - { path: "a\\nb/k.cc", functions: [k] }\n`);
    const e = await (await loadProject(dir, options(dir))).build().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OrcJitError);
    expect((e as OrcJitError).code).toBe("ORCJIT_UNSAFE_PATH");
  });

  test("a symlinked .orcjit/ (or generated/) is not followed: nothing is written outside the project", async () => {
    for (const link of [".orcjit", ".orcjit/generated"]) {
      const dir = tempDir();
      const outside = tempDir("orcjit-outside-");
      writeFiles(dir, { "orcjit.yaml": "version: 1\nlibraries:\n  lib:\n    sources: [k.cc]\n    functions: [k]\n", "k.cc": twice("k") });
      mkdirSync(path.dirname(path.join(dir, link)), { recursive: true });
      symlinkSync(outside, path.join(dir, link));
      const e = await (await loadProject(dir, options(dir))).build().catch((x: unknown) => x);
      expect(e, link).toBeInstanceOf(OrcJitError);
      expect((e as Error).message).toMatch(/is a symbolic link: generated files are only written inside the project/);
      expect(readdirSync(outside)).toEqual([]);
    }
  });
});

describe("loadInline inputs", () => {
  test("a 300-character name is a TypeError, not ENAMETOOLONG", async () => {
    const dir = tempDir();
    const e = await loadInline({ name: "m".repeat(300), cSources: "int x;", cacheDir: path.join(dir, "c") }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/'name' is 300 characters long; at most 128/);
  });

  test("optLevel and flags are validated", async () => {
    const dir = tempDir();
    const base = { name: "v", cSources: "int x;", cacheDir: path.join(dir, "c") };
    await expect(loadInline({ ...base, optLevel: 9 as unknown as 0 })).rejects.toThrow(/optLevel must be one of/);
    await expect(loadInline({ ...base, extraCflags: [1 as unknown as string] })).rejects.toThrow(/extraCflags\[0\] must be a string/);
  });

  test.runIf(process.getuid?.() === 0 && existsSync("/usr/bin/setpriv"))("a cache this user cannot write is a CacheError (run as another uid)", async () => {
    const dir = tempDir();
    execFileSync("chmod", ["755", dir]);
    const ro = path.join(dir, "ro-cache");
    mkdirSync(ro, { mode: 0o755 }); // root's, not writable by uid 12345
    const script = path.join(dir, "try.mjs");
    writeFileSync(
      script,
      `import { loadInline } from ${JSON.stringify(path.join(process.cwd(), "dist", "index.js"))};
       try { await loadInline({ name: "ro", cSources: "int x;", cacheDir: ${JSON.stringify(path.join(ro, "sub"))} }); console.log("loaded"); }
       catch (e) { console.log(e.constructor.name + ": " + e.message); }`,
    );
    execFileSync("chmod", ["644", script]);
    const out = execFileSync("setpriv", ["--reuid=12345", "--regid=12345", "--clear-groups", "--", process.execPath, script], { encoding: "utf8", env: { ...process.env, HOME: dir } });
    expect(out).toMatch(/^CacheError: cannot create the cache directory .*EACCES/);
  });
});

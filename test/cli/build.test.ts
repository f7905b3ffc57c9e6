// `orcjit build` end to end: a multi-library project, manifest errors with line/column,
// compile errors with the compiler's diagnostics, --json, and the cache commands.
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, test } from "vitest";
import { cliMain, copyProject, ensureBuilt, orcjit, tempDir, writeFiles } from "./helpers.js";

beforeAll(() => ensureBuilt());

describe("build of a multi-library project", () => {
  test("compiles every source once, then serves them from the cache", async () => {
    const dir = copyProject("multi-c");
    const first = await orcjit(["build"], { cwd: dir });
    // one plain line per file (CI=1), in completion order: [n/3] compiled <library>: <source> (<time>)
    const progress = first.stderr.split("\n");
    expect(progress.map((l) => l.slice(0, 5))).toEqual(["[1/3]", "[2/3]", "[3/3]"]);
    expect(progress.map((l) => l.slice(6).replace(/ \(\d+(ms|\.\d\ds)\)$/, "")).sort()).toEqual([
      "compiled kinds: src/kinds.c",
      "compiled kinds: src/strings.c",
      "compiled math: src/math.c",
    ]);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/^built 2 libraries \(3 files: 3 compiled, 0 cached\) in \d+(ms|\.\d+s)$/);

    const second = await orcjit(["build", "--json"], { cwd: dir });
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toBe("");
    const r = JSON.parse(second.stdout) as {
      ok: boolean;
      loadOrder: string[];
      libraries: { name: string; objects: { source: string; objectPath: string; cacheHit: boolean }[] }[];
      total: number;
      compiled: number;
      cached: number;
    };
    expect(r).toMatchObject({ ok: true, loadOrder: ["math", "kinds"], total: 3, compiled: 0, cached: 3 });
    expect(r.libraries.map((l) => [l.name, l.objects.map((o) => path.relative(dir, o.source))])).toEqual([
      ["math", ["src/math.c"]],
      ["kinds", ["src/kinds.c", "src/strings.c"]],
    ]);
    expect(r.libraries[0]!.objects[0]!.objectPath.startsWith(path.join(dir, ".test-cache"))).toBe(true);

    // an edit recompiles only that file; --quiet prints nothing
    writeFileSync(path.join(dir, "src/math.c"), `${"/* edited */\n"}${await import("node:fs").then((fs) => fs.readFileSync(path.join(dir, "src/math.c"), "utf8"))}`);
    const third = await orcjit(["build", "--json"], { cwd: dir });
    expect(JSON.parse(third.stdout)).toMatchObject({ compiled: 1, cached: 2 });
    const quiet = await orcjit(["build", "-q"], { cwd: dir });
    expect(quiet).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
  });

  test("a manifest given as a path or a directory, from another working directory", async () => {
    const dir = copyProject("multi-c");
    const elsewhere = tempDir();
    const cacheDir = path.join(elsewhere, "cache");
    expect((await orcjit(["build", path.join(dir, "orcjit.yaml"), "-q"], { cwd: elsewhere, cacheDir })).exitCode).toBe(0);
    const byDir = await orcjit(["build", dir, "--json"], { cwd: elsewhere, cacheDir });
    expect(JSON.parse(byDir.stdout)).toMatchObject({ cached: 3, manifest: path.join(dir, "orcjit.yaml") });
  });

  test("--force recompiles; a profile from --profile or ORCJIT_PROFILE changes the flags", async () => {
    const dir = copyProject("multi-c");
    writeFileSync(
      path.join(dir, "orcjit.yaml"),
      `${await import("node:fs").then((fs) => fs.readFileSync(path.join(dir, "orcjit.yaml"), "utf8"))}profiles:\n  big:\n    libraries:\n      kinds: { defines: { KIND_SCALE: 1000 } }\n`,
    );
    expect(JSON.parse((await orcjit(["build", "--json"], { cwd: dir })).stdout)).toMatchObject({ compiled: 3, profile: null });
    expect(JSON.parse((await orcjit(["build", "--json", "--force"], { cwd: dir })).stdout)).toMatchObject({ compiled: 3 });
    const big = await orcjit(["build", "--profile", "big"], { cwd: dir });
    expect(big.stdout).toMatch(/\(3 files: 2 compiled, 1 cached\) in .* \[profile big\]$/);
    const env = await orcjit(["build", "--json"], { cwd: dir, env: { ORCJIT_PROFILE: "big" } });
    expect(JSON.parse(env.stdout)).toMatchObject({ profile: "big", cached: 3 });
  });
});

describe("manifest errors, reported as orcjit.yaml:LINE:COL with exit code 1", () => {
  const files = { "src/a.c": "int a;\n", "src/b.c": "int b;\n" };
  const cases: [string, string, string[]][] = [
    ["YAML syntax", "version: 1\nlibraries:\n  a:\n    sources: [src/a.c\n", ["orcjit.yaml:5:1: error: YAML syntax error: "]],
    ["unknown key", "version: 1\nlibraries:\n  a:\n    source: [src/a.c]\n", [
      "orcjit.yaml:3:3: error: library 'a' is missing required key 'sources'",
      "orcjit.yaml:4:5: error: unknown key 'source' in library 'a' (did you mean 'sources'?)",
    ]],
    ["wrong type", "version: 1\nlibraries:\n  a:\n    sources: src/a.c\n", ['orcjit.yaml:4:14: error: libraries.a.sources must be a list, got string "src/a.c"']],
    ["missing sources", "version: 1\nlibraries:\n  a:\n    cflags: [-O1]\n", ["orcjit.yaml:3:3: error: library 'a' is missing required key 'sources'"]],
    ["unknown library in linkOrder", "version: 1\nlibraries:\n  a:\n    sources: [src/a.c]\n    linkOrder: [b]\n", [
      "orcjit.yaml:5:17: error: unknown library 'b' in linkOrder of 'a'; libraries: a",
    ]],
    ["cycle", "version: 1\nlibraries:\n  a:\n    sources: [src/a.c]\n    linkOrder: [b]\n  b:\n    sources: [src/b.c]\n    linkOrder: [a]\n", [
      "orcjit.yaml:8:17: error: linkOrder cycle: a -> b -> a",
    ]],
    ["missing source", "version: 1\nlibraries:\n  a:\n    sources: [src/a.c, src/c.c]\n", ["orcjit.yaml:4:24: error: source file 'src/c.c' not found (looked for "]],
    ["path escape", "version: 1\nlibraries:\n  a:\n    sources: [../a.c]\n", ["orcjit.yaml:4:15: error: source file '../a.c' is outside the project root "]],
  ];
  test.each(cases)("%s", async (_name, yaml, expected) => {
    const dir = tempDir();
    writeFiles(dir, { ...files, "orcjit.yaml": yaml });
    const r = await orcjit(["build"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.split("\n");
    expect(lines.length).toBe(expected.length + 1);
    expected.forEach((e, i) => expect(lines[i]!.startsWith(e), `${lines[i]} should start with ${e}`).toBe(true));
    expect(lines.at(-1)).toBe(`orcjit: manifest failed with ${expected.length} error${expected.length === 1 ? "" : "s"}`);
    expect(r.stdout).toBe("");
  });

  test("--json carries the diagnostics with their locations; the file is shown relative to the cwd", async () => {
    const dir = tempDir();
    writeFiles(dir, { ...files, "proj/orcjit.yaml": "version: 1\nlibraries:\n  a:\n    sources: [src/a.c]\n" });
    const r = await orcjit(["build", "proj", "--json"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      error: {
        code: "ORCJIT_MANIFEST",
        diagnostics: [{ severity: "error", location: { file: "proj/orcjit.yaml", line: 4, column: 15 }, message: expect.stringContaining("'src/a.c' not found") }],
      },
    });
    const plain = await orcjit(["build", "proj"], { cwd: dir });
    expect(plain.stderr).toMatch(/^proj\/orcjit\.yaml:4:15: error: source file 'src\/a\.c' not found/);
    const allowed = await orcjit(["build", "proj", "--allow-outside-root", "--json"], {
      cwd: dir,
      env: {},
    });
    expect(allowed.exitCode).toBe(1); // still missing: the path is proj/src/a.c
    writeFiles(dir, { "proj/orcjit.yaml": "version: 1\nlibraries:\n  a:\n    sources: [../src/a.c]\n" });
    const outside = await orcjit(["build", "proj", "--allow-outside-root", "--json"], { cwd: dir });
    expect(JSON.parse(outside.stdout)).toMatchObject({ ok: true, compiled: 1 });
  });
});

describe("compile errors", () => {
  test("show the compiler's diagnostic with file:line:col and exit 1; other files are unaffected", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "orcjit.yaml": "version: 1\nlibraries:\n  good:\n    sources: [src/good.c]\n  bad:\n    sources: [src/bad.c]\n",
      "src/good.c": "int good(void) { return 1; }\n",
      "src/bad.c": "int bad(void) {\n  return 1 +;\n}\n",
    });
    const r = await orcjit(["build"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^src\/bad\.c:2:\d+: error: expected expression$/m);
    expect(r.stderr).toMatch(/^\[\d\/2\] FAILED {3}bad: src\/bad\.c/m);
    expect(r.stderr).toMatch(/orcjit: compilation failed with 1 error\n?$/);
    expect(r.stdout).toBe("");

    const j = await orcjit(["build", "--json"], { cwd: dir });
    expect(j.exitCode).toBe(1);
    const err = (JSON.parse(j.stdout) as { error: { code: string; diagnostics: { location: { file: string; line: number } }[]; command: string[] } }).error;
    expect(err.code).toBe("ORCJIT_COMPILE");
    expect(err.diagnostics[0]!.location).toMatchObject({ line: 2 });
    expect(err.diagnostics[0]!.location.file).toMatch(/src\/bad\.c$/);
    expect(err.command.length).toBeGreaterThan(1);
  });
});

describe("cache commands", () => {
  test("ls lists what build stored; prune and clear remove it", async () => {
    const dir = copyProject("multi-c");
    const cacheDir = path.join(dir, "cache");
    const empty = await orcjit(["cache", "ls", "--cache-dir", cacheDir, "--json"], { cwd: dir });
    expect(JSON.parse(empty.stdout)).toMatchObject({ ok: true, dir: cacheDir, entries: [] });

    expect((await orcjit(["build", "-q", "--cache-dir", cacheDir], { cwd: dir })).exitCode).toBe(0);
    const ls = await orcjit(["cache", "--cache-dir", cacheDir, "ls", "--json"], { cwd: dir });
    const listed = JSON.parse(ls.stdout) as { size: number; entries: { source: string; size: number }[] };
    expect(listed.entries.map((e) => path.basename(e.source)).sort()).toEqual(["kinds.c", "math.c", "strings.c"]);
    expect(listed.size).toBeGreaterThan(0);
    const human = await orcjit(["cache", "ls"], { cwd: dir, cacheDir });
    expect(human.stdout).toMatch(/^3 objects, .* in .*cache$/m);

    const pruned = await orcjit(["cache", "prune", "--max-size", "0", "--json"], { cwd: dir, cacheDir });
    expect(JSON.parse(pruned.stdout)).toMatchObject({ ok: true });
    expect((JSON.parse(pruned.stdout) as { freed: number }).freed).toBeGreaterThan(0);

    expect((await orcjit(["build", "-q"], { cwd: dir, cacheDir })).exitCode).toBe(0);
    const cleared = await orcjit(["cache", "clear"], { cwd: dir, cacheDir });
    expect(cleared.exitCode).toBe(0);
    expect(cleared.stdout).toMatch(/^cleared .* from .*cache$/);
    const after = await orcjit(["cache", "ls", "--json"], { cwd: dir, cacheDir });
    expect((JSON.parse(after.stdout) as { entries: unknown[] }).entries).toEqual([]);
  });
});

describe("Ctrl-C", () => {
  test("SIGINT during a build kills its compilers, removes their tmp/b-* folders and exits 130", async () => {
    const dir = tempDir();
    const cacheDir = path.join(dir, ".cache");
    writeFiles(dir, {
      "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/stuck.c, src/fine.c] }\n",
      "src/stuck.c": '#include "never.h"\nint stuck;\n', // never.h is a FIFO nobody writes: the compiler blocks
      "src/fine.c": "int fine;\n",
    });
    execFileSync("mkfifo", [path.join(dir, "src/never.h")]);
    const child = execa(process.execPath, [cliMain, "build", "-v", "-j", "2"], {
      cwd: dir,
      reject: false,
      env: { CI: "1", NO_COLOR: "1", ORCJIT_CACHE_DIR: cacheDir, ORCJIT_PROFILE: "" },
      timeout: 120_000,
    });
    let err = "";
    // -v prints each compiler command line as it starts
    await new Promise<void>((resolve) => {
      child.stderr!.setEncoding("utf8").on("data", (t: string) => {
        err += t;
        if (err.includes("src/stuck.c")) resolve();
      });
    });
    // the compiler is starting or blocked on the FIFO: the cancel covers both
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(err).toContain("orcjit: interrupted (SIGINT)");
    expect(readdirSync(path.join(cacheDir, "v1/tmp"))).toEqual([]);
    const alive = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.includes(path.join(dir, "src/stuck.c")));
    expect(alive).toEqual([]);
  });
});

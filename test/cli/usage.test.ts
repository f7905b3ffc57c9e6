// --help everywhere, usage errors and their exit codes, doctor, init --list: the real CLI.
import { beforeAll, describe, expect, test } from "vitest";
import { ensureBuilt, orcjit, tempDir } from "./helpers.js";

beforeAll(() => ensureBuilt());

describe("help and version", () => {
  test("orcjit --help lists every command and the exit codes", async () => {
    const r = await orcjit(["--help"], { cwd: tempDir() });
    expect(r.exitCode).toBe(0);
    for (const cmd of ["build", "run", "watch", "doctor", "cache", "init"]) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
    expect(r.stdout).toContain("Exit codes: 0 ok, 1 manifest/compile/link/call error, 2 usage error, 70 internal error");
  });

  test.each([["build"], ["run"], ["watch"], ["doctor"], ["cache"], ["cache", "ls"], ["cache", "prune"], ["cache", "clear"], ["init"]])(
    "orcjit %s --help",
    async (...cmd: string[]) => {
      const r = await orcjit([...cmd, "--help"], { cwd: tempDir() });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: orcjit ${cmd.join(" ")} `));
      expect(r.stderr).toBe("");
    },
  );

  test("run --help shows the [manifest] <library>.<function> form and examples", async () => {
    const r = await orcjit(["run", "--help"], { cwd: tempDir() });
    expect(r.stdout).toContain("Usage: orcjit run [options] [manifest] <library>.<function> [args...]");
    expect(r.stdout).toContain("orcjit run math.add 1 2");
  });

  test("--version prints the package version", async () => {
    const r = await orcjit(["--version"], { cwd: tempDir() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("usage errors exit with 2", () => {
  test("an unknown command", async () => {
    const r = await orcjit(["biuld"], { cwd: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown command 'biuld'");
    expect(r.stderr).toContain("(Did you mean build?)");
  });

  test("an unknown option", async () => {
    const r = await orcjit(["build", "--frobnicate"], { cwd: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  test("--json: an unknown option or command is a JSON error document on stdout, nothing on stderr", async () => {
    const opt = await orcjit(["build", "--frobnicate", "--json"], { cwd: tempDir() });
    expect(opt.exitCode).toBe(2);
    expect(opt.stderr).toBe("");
    expect(JSON.parse(opt.stdout)).toEqual({ ok: false, error: { code: "ORCJIT_USAGE", name: "UsageError", message: "unknown option '--frobnicate'" } });
    const cmd = await orcjit(["biuld", "--json"], { cwd: tempDir() });
    expect(cmd.exitCode).toBe(2);
    expect(cmd.stderr).toBe("");
    expect(JSON.parse(cmd.stdout)).toMatchObject({ ok: false, error: { code: "ORCJIT_USAGE", message: expect.stringContaining("unknown command 'biuld'") } });
    const missing = await orcjit(["run", "--json", "--jobs"], { cwd: tempDir() });
    expect(missing.exitCode).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: "ORCJIT_USAGE", message: expect.stringContaining("--jobs") } });
  });

  test("no command prints help on stderr", async () => {
    const r = await orcjit([], { cwd: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("Usage: orcjit");
  });

  test("run with a malformed target, or a non-JSON argument", async () => {
    const dir = tempDir();
    const bad = await orcjit(["run", "nodot"], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe("orcjit: expected <library>.<function>, got 'nodot'");
    const arg = await orcjit(["run", "lib.fn", "1", "hello"], { cwd: dir });
    expect(arg.exitCode).toBe(2);
    expect(arg.stderr).toContain("orcjit: argument 2 is not valid JSON: hello");
    expect(arg.stderr).toContain(`'"hello"'`);
    const json = await orcjit(["run", "lib.fn", "{", "--json"], { cwd: dir });
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: "ORCJIT_USAGE" } });
  });

  test("--jobs must be a positive integer", async () => {
    const r = await orcjit(["build", "-j", "zero"], { cwd: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe("orcjit: --jobs must be a positive integer, got 'zero'");
  });

  test("cache prune with an unreadable size", async () => {
    const r = await orcjit(["cache", "prune", "--max-size", "lots"], { cwd: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--max-size: cannot read 'lots' as a size");
  });
});

describe("user errors exit with 1", () => {
  test("a missing manifest", async () => {
    const dir = tempDir();
    const r = await orcjit(["build"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`cannot read manifest ${dir}/orcjit.yaml: no such file`);
    const j = await orcjit(["build", "--json"], { cwd: dir });
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: "ORCJIT_MANIFEST", name: "ManifestError" } });
  });

  test("run of an unknown library names the known ones", async () => {
    const dir = tempDir();
    await orcjit(["init", "-t", "c-basic"], { cwd: dir });
    const r = await orcjit(["run", "nope.add", "1"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("no library 'nope' in");
    expect(r.stderr).toContain("libraries: hello");
  });
});

describe("doctor", () => {
  test("reports compilers with versions, the cache location and size", async () => {
    const dir = tempDir();
    const r = await orcjit(["doctor", "--json"], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      toolchains: { language: string; found: boolean; version?: string; kind?: string }[];
      cache: { dir: string; size: number; entries: number };
      jit: { loaded: boolean; llvmVersion?: string; tvmFfiVersion?: string; abiVersion?: number };
      headers: string;
    };
    expect(report.ok).toBe(true);
    const cxx = report.toolchains.find((t) => t.language === "c++" && t.found);
    expect(cxx?.version).toMatch(/version/i);
    expect(report.cache).toEqual({ dir: `${dir}/.test-cache`, size: 0, entries: 0 });
    expect(report.headers).toMatch(/native\/include$/);
    expect(report.jit.loaded).toBe(true); // the test setup builds the addon
    expect(report.jit.llvmVersion).toMatch(/^22\.\d+\.\d+/);
    expect(report.jit.tvmFfiVersion).toBe("0.1.14");
    expect(report.jit.abiVersion).toBe(1);
    const human = await orcjit(["doctor"], { cwd: dir });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/^jit +addon loads; LLVM 22\.\d+\.\d+, TVM-FFI 0\.1\.14/m);
    expect(human.stdout).toMatch(/^compilers$/m);
    expect(human.stdout).toMatch(/^cache +.*\.test-cache \(0 objects, 0 B\)$/m);
  });
});

describe("init", () => {
  test("--list shows the templates; an unknown template is a usage error", async () => {
    const dir = tempDir();
    const r = await orcjit(["init", "--list", "--json"], { cwd: dir });
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, templates: ["c-basic", "cpp-basic"] });
    const bad = await orcjit(["init", "-t", "rust"], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("unknown template 'rust'; templates: c-basic, cpp-basic");
  });

  test("refuses to overwrite files unless --force", async () => {
    const dir = tempDir();
    expect((await orcjit(["init", "proj"], { cwd: dir })).exitCode).toBe(0);
    const again = await orcjit(["init", "proj"], { cwd: dir });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain("already has .gitignore, orcjit.yaml, src/hello.cc (use --force to overwrite)");
    expect((await orcjit(["init", "proj", "--force", "--json"], { cwd: dir })).exitCode).toBe(0);
  });
});

// `orcjit run` end to end: build, link in order, call with each JSON argument kind, print.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { copyProject, ensureBuilt, orcjit, tempDir } from "./helpers.js";

beforeAll(() => ensureBuilt());

describe("orcjit run on a multi-library project", () => {
  test("an unresolved symbol is explained in manifest keys (linkOrder, sharedLibraries), not API calls", async () => {
    const dir = copyProject("multi-c");
    const manifest = path.join(dir, "orcjit.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("    linkOrder: [math]\n", ""));
    const r = await orcjit(["run", "kinds.add_scaled", "1", "2"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^orcjit: LinkError: .*unresolved symbol 'math_add'/);
    expect(r.stderr).toContain(`add the defining source or object to library 'kinds', a library to its \`linkOrder\` or a .so to its \`sharedLibraries\` in ${manifest}`);
    expect(r.stderr).not.toMatch(/setLinkOrder|addSharedLibrary/);
  });

  test("each JSON argument kind: int, float, bool, string, null; and results of each kind", async () => {
    const dir = copyProject("multi-c");
    const cacheDir = `${dir}/.test-cache`;
    const run = (...args: string[]) => orcjit(["run", ...args], { cwd: dir, cacheDir });

    // int args; kinds resolves math_add from "math" through linkOrder; KIND_SCALE=10
    expect(await run("kinds.add_scaled", "1", "2")).toMatchObject({ exitCode: 0, stdout: "30", stderr: "" });
    expect(await run("math.add", "40", "2")).toMatchObject({ exitCode: 0, stdout: "42" });
    // negative numbers are values, not options
    expect(await run("math.add", "-40", "-2")).toMatchObject({ exitCode: 0, stdout: "-42" });
    // float (and an int where a float is expected)
    expect(await run("kinds.half", "2.5")).toMatchObject({ exitCode: 0, stdout: "1.25" });
    expect(await run("kinds.half", "3")).toMatchObject({ exitCode: 0, stdout: "1.5" });
    // bool
    expect(await run("kinds.negate", "true")).toMatchObject({ exitCode: 0, stdout: "false" });
    expect(await run("kinds.negate", "false")).toMatchObject({ exitCode: 0, stdout: "true" });
    // string: short (inline) and long (heap) forms
    expect(await run("kinds.length", '"hey"')).toMatchObject({ exitCode: 0, stdout: "3" });
    expect(await run("kinds.length", '"a longer string than seven bytes"')).toMatchObject({ exitCode: 0, stdout: "32" });
    // null
    expect(await run("kinds.is_none", "null")).toMatchObject({ exitCode: 0, stdout: "true" });
    expect(await run("kinds.is_none", "0")).toMatchObject({ exitCode: 0, stdout: "false" });
    // string and None results
    expect(await run("kinds.greeting")).toMatchObject({ exitCode: 0, stdout: "hi!" });
    expect(await run("kinds.nothing")).toMatchObject({ exitCode: 0, stdout: "null" });
    // each library has its own namespace: kinds' helper, not math's
    expect(await run("kinds.which_helper")).toMatchObject({ exitCode: 0, stdout: "2" });
  });

  test("--json prints the result with its type; the manifest may come first", async () => {
    const dir = copyProject("multi-c");
    const elsewhere = tempDir();
    const cacheDir = `${dir}/.test-cache`;
    const cases: [string[], unknown, string][] = [
      [["kinds.add_scaled", "2", "3"], 50, "number"],
      [["kinds.half", "1"], 0.5, "number"],
      [["kinds.negate", "false"], true, "boolean"],
      [["kinds.greeting"], "hi!", "string"],
      [["kinds.nothing"], null, "null"],
    ];
    for (const [args, result, type] of cases) {
      const r = await orcjit(["run", `${dir}/orcjit.yaml`, ...args, "--json"], { cwd: elsewhere, cacheDir });
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ ok: true, result, type });
    }
    const byDir = await orcjit(["run", dir, "math.add", "1", "1"], { cwd: elsewhere, cacheDir });
    expect(byDir).toMatchObject({ exitCode: 0, stdout: "2" });
  });

  test("call errors are user errors (exit 1): a raised error, a missing function, wrong arguments", async () => {
    const dir = copyProject("multi-c");
    const cacheDir = `${dir}/.test-cache`;
    const raised = await orcjit(["run", "kinds.fail"], { cwd: dir, cacheDir });
    expect(raised.exitCode).toBe(1);
    // the kind is stated once: the error's name is its kind, its message the text alone
    expect(raised.stderr).toBe("orcjit: ValueError: fail was called"); // (execa strips the final newline)
    const raisedJson = await orcjit(["run", "kinds.fail", "--json"], { cwd: dir, cacheDir });
    expect(JSON.parse(raisedJson.stdout)).toMatchObject({ ok: false, error: { code: "ORCJIT_FFI", name: "ValueError", kind: "ValueError", message: "fail was called" } });

    const typeErr = await orcjit(["run", "kinds.negate", "3"], { cwd: dir, cacheDir });
    expect(typeErr.exitCode).toBe(1);
    expect(typeErr.stderr).toContain("negate expects a boolean");

    const missing = await orcjit(["run", "kinds.nope", "--json"], { cwd: dir, cacheDir });
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: "ORCJIT_SYMBOL_NOT_FOUND" } });

    // A JSON array is a value now (it crosses as an ffi.Array), so the call runs.
    const array = await orcjit(["run", "kinds.is_none", "[1,2]"], { cwd: dir, cacheDir });
    expect(array.exitCode).toBe(0);
    expect(array.stdout.trim()).toBe("false");
  });

  test("a compile error stops run before loading, with the diagnostic", async () => {
    const dir = copyProject("multi-c");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${dir}/src/strings.c`, "#include \"ffi_util.h\"\nint broken( {\n");
    const r = await orcjit(["run", "math.add", "1", "2"], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^src\/strings\.c:2:\d+: error: /m);
    expect(r.stdout).toBe("");
  });
});

describe("examples/multi-lib", () => {
  test("C++ and C in one library, a dependent library with generated exports, linked in order", async () => {
    const { cpSync } = await import("node:fs");
    const dir = tempDir();
    cpSync(new URL("../../examples/multi-lib", import.meta.url), dir, { recursive: true });
    const cacheDir = `${dir}/.test-cache`;
    const build = await orcjit(["build", "--json"], { cwd: dir, cacheDir });
    expect(JSON.parse(build.stdout)).toMatchObject({ ok: true, loadOrder: ["math", "caller"], total: 3 });
    expect(await orcjit(["run", "caller.call_math", "10", "20"], { cwd: dir, cacheDir })).toMatchObject({ exitCode: 0, stdout: "60" });
    expect(await orcjit(["run", "caller.dot3", "1", "2", "3"], { cwd: dir, cacheDir })).toMatchObject({ exitCode: 0, stdout: "14" });
    expect(await orcjit(["run", "math.add", "1", "2"], { cwd: dir, cacheDir })).toMatchObject({ exitCode: 0, stdout: "3" });
  });
});

describe("init, then build and run the template", () => {
  test("cpp-basic (the default): C++ with the TVM-FFI headers", async () => {
    const dir = tempDir();
    const cacheDir = `${dir}/cache`;
    const init = await orcjit(["init", "app"], { cwd: dir, cacheDir });
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toContain("orcjit run hello.add 1 2");
    const app = `${dir}/app`;
    const build = await orcjit(["build"], { cwd: app, cacheDir });
    expect(build).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^built 1 library \(1 file: 1 compiled, 0 cached\)/) });
    expect(await orcjit(["run", "hello.add", "1", "2"], { cwd: app, cacheDir })).toMatchObject({ exitCode: 0, stdout: "3" });
    expect(await orcjit(["run", "hello.scale", "1.5", "4"], { cwd: app, cacheDir })).toMatchObject({ exitCode: 0, stdout: "6" });
    expect(await orcjit(["run", "hello.greet", '"world"'], { cwd: app, cacheDir })).toMatchObject({ exitCode: 0, stdout: "hello, world!" });
    const debug = await orcjit(["run", "hello.add", "2", "2", "--profile", "debug"], { cwd: app, cacheDir });
    expect(debug).toMatchObject({ exitCode: 0, stdout: "4" });
  });

  test("c-basic: plain C against tvm/ffi/c_api.h", async () => {
    const dir = tempDir();
    expect((await orcjit(["init", "-t", "c-basic"], { cwd: dir })).exitCode).toBe(0);
    expect((await orcjit(["build", "-q"], { cwd: dir })).exitCode).toBe(0);
    expect(await orcjit(["run", "hello.add", "20", "22"], { cwd: dir })).toMatchObject({ exitCode: 0, stdout: "42" });
  });
});

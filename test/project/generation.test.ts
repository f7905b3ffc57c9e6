// Generations without hooks: handles from project.library(n).getFunction(f) follow every
// generation swap (rebuildLibraries, reload), and Project.prepare → Generation lets a caller
// try a linked generation before it serves (commit) or drop it (discard). Real compiles, real JIT.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { DisposedError, OrcJitError, SymbolNotFoundError } from "../../src/errors.js";
import { loadProject, type Project } from "../../src/project/index.js";
import { copyProject, ensureBuilt, repoRoot, tempDir, writeFiles } from "../cli/helpers.js";
import { runNodeScript } from "../compiler/helpers.js";

async function loaded(): Promise<{ dir: string; project: Project; edit: (from: string, to: string) => void }> {
  const dir = copyProject("multi-c");
  const project = await loadProject(dir, { cacheDir: path.join(dir, ".cache"), env: {} });
  await project.load();
  const src = path.join(dir, "src/math.c");
  const edit = (from: string, to: string): void => {
    const text = readFileSync(src, "utf8");
    if (!text.includes(from)) throw new Error(`math.c has no '${from}'`);
    writeFileSync(src, text.replace(from, to));
  };
  return { dir, project, edit };
}

describe("project function handles", () => {
  test("stay valid across rebuildLibraries and reload and call the newest code", async () => {
    const { dir, project, edit } = await loaded();
    const add = project.library("math").getFunction("add");
    const addScaled = project.library("kinds").getFunction("add_scaled");
    expect(project.library("math").getFunction("add")).toBe(add); // one handle per function
    expect(add.library).toBe("math");
    expect(add.functionName).toBe("add");
    expect(add(1, 2)).toBe(3);
    expect(addScaled(1, 2)).toBe(30);

    edit("return a + b;", "return a + b + 100;");
    await project.rebuildLibraries(["math"]);
    expect(project.library("math").generation).toBe(2);
    expect(add(1, 2)).toBe(103);
    expect(addScaled(1, 2)).toBe(1030); // the dependent was relinked too
    expect(await add.async(1, 2)).toBe(103);

    const yaml = path.join(dir, "orcjit.yaml");
    writeFileSync(yaml, readFileSync(yaml, "utf8").replace("KIND_SCALE: 10", "KIND_SCALE: 7"));
    expect((await project.reload()).relinked).toEqual(["kinds"]);
    expect(addScaled(1, 2)).toBe(721);
    expect(add(1, 2)).toBe(103);
    project.dispose();
    expect(() => add(1, 2)).toThrow(DisposedError);
  });

  test("a new generation without a function a handle calls is rejected; the old one keeps serving", async () => {
    const { project, edit } = await loaded();
    const add = project.library("math").getFunction("add");
    edit("FFI_FN(add)", "FFI_FN(add_renamed)");
    const e = await project.rebuildLibraries(["math"]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SymbolNotFoundError);
    expect((e as Error).message).toMatch(/library 'math' does not export 'add', which a function handle calls/);
    expect(project.library("math").generation).toBe(1);
    expect(add(2, 2)).toBe(4);
    project.dispose();
  });

  test("handles of a library the manifest removes throw DisposedError; the others keep working", async () => {
    const { dir, project } = await loaded();
    const addScaled = project.library("kinds").getFunction("add_scaled");
    const add = project.library("math").getFunction("add");
    const yaml = path.join(dir, "orcjit.yaml");
    const text = readFileSync(yaml, "utf8");
    const kinds = text.slice(text.indexOf("  kinds:"));
    writeFileSync(yaml, text.replace(kinds, ""));
    expect((await project.reload()).removed).toEqual(["kinds"]);
    expect(() => addScaled(1, 2)).toThrow(/library 'kinds' was removed from/);
    await expect(addScaled.async(1, 2)).rejects.toThrow(DisposedError);
    expect(add(1, 2)).toBe(3);
    project.dispose();
  });

  test("survive dispose() and a new load()", async () => {
    const { project } = await loaded();
    const add = project.library("math").getFunction("add");
    project.dispose();
    expect(() => add(1, 1)).toThrow(DisposedError);
    await project.load();
    expect(add(1, 1)).toBe(2);
    project.dispose();
  });
});

describe("Project.prepare → Generation", () => {
  test("getFunction tries the new code; commit swaps it in for every handle", async () => {
    const { project, edit } = await loaded();
    const add = project.library("math").getFunction("add");
    edit("return a + b;", "return a + b + 5;");
    await project.build({ libraries: ["math"] });
    const g = project.prepare(["math"]);
    expect(g.libraries).toEqual(["math", "kinds"]); // dependents included, in load order
    expect(g.state).toBe("pending");
    expect(g.getFunction("math", "add")(1, 1)).toBe(7);
    expect(g.getFunction("kinds", "add_scaled")(1, 1)).toBe(70);
    expect(add(1, 1)).toBe(2); // nothing serves the new code yet
    expect(project.library("math").generation).toBe(1);
    expect(() => project.prepare(["math"])).toThrow(expect.objectContaining({ code: "ORCJIT_GENERATION_PENDING" }) as OrcJitError);
    g.commit();
    expect(g.state).toBe("committed");
    expect(add(1, 1)).toBe(7);
    expect(project.library("math").generation).toBe(2);
    expect(() => g.commit()).toThrow(/already committed/);
    project.dispose();
  });

  test("discard drops the new libraries and keeps the serving generation", async () => {
    const { project, edit } = await loaded();
    const add = project.library("math").getFunction("add");
    edit("return a + b;", "return a + b + 5;");
    await project.build({ libraries: ["math"] });
    const g = project.prepare(["math"]);
    const fresh = g.getFunction("math", "add");
    g.discard();
    g.discard(); // idempotent
    expect(g.state).toBe("discarded");
    expect(() => fresh(1, 1)).toThrow(DisposedError);
    expect(add(1, 1)).toBe(2);
    expect(project.library("math").generation).toBe(1);
    // the next generation can be prepared now
    project.prepare(["math"]).commit();
    expect(add(1, 1)).toBe(7);
    project.dispose();
  });

  test("a generation that fails to link is never pending; prepare before load throws ORCJIT_NOT_LOADED", async () => {
    const { project, edit } = await loaded();
    // ORC links lazily: what prepare looks up (declared functions, held handles) is what it links
    const add = project.library("math").getFunction("add");
    edit("int64_t math_add(int64_t a, int64_t b) { return a + b; }", "int64_t nowhere(void);\nint64_t math_add(int64_t a, int64_t b) { return a + b + nowhere(); }");
    await project.build({ libraries: ["math"] });
    expect(() => project.prepare(["math"])).toThrow(/nowhere/);
    expect(add(1, 1)).toBe(2);
    expect(project.library("kinds").getFunction("add_scaled")(1, 1)).toBe(20);
    project.prepare([]).discard(); // nothing was left pending
    project.dispose();
    expect(() => project.prepare(["math"])).toThrow(expect.objectContaining({ code: "ORCJIT_NOT_LOADED" }) as OrcJitError);
  });
});

/**
 * A project whose apply(f) calls back into JS, and a child script that loads it, edits the
 * source, builds generation 2, binds `apply`, `version` and the old generation's `oldVersion`,
 * then runs `body` (which fills `out`). Returns the child's `out`.
 */
async function commitFromCallback(body: string): Promise<unknown> {
  ensureBuilt();
  const dir = tempDir();
  writeFiles(dir, {
    "orcjit.yaml": "version: 1\nlibraries:\n  k:\n    sources:\n      - { path: k.cc, functions: [apply, version] }\n",
    "k.cc": "#include <tvm/ffi/function.h>\n#define VERSION 1\nint64_t version() { return VERSION; }\nint64_t apply(tvm::ffi::Function f) { return f().cast<int64_t>() * 100 + VERSION; }\n",
  });
  const script = path.join(dir, "child.mjs");
  writeFileSync(
    script,
    `import { readFileSync, writeFileSync } from "node:fs";
const { loadProject } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, "dist/index.js")).href)});
const dir = ${JSON.stringify(dir)};
const project = await loadProject(dir, { cacheDir: dir + "/.cache", env: {} });
await project.load();
const apply = project.library("k").getFunction("apply");
const version = project.library("k").getFunction("version");
const oldVersion = project.library("k").dynamicLibrary.getFunction("version");
writeFileSync(dir + "/k.cc", readFileSync(dir + "/k.cc", "utf8").replace("#define VERSION 1", "#define VERSION 2"));
await project.build();
const out = {};
${body}
project.dispose();
console.log(JSON.stringify(out));
`,
  );
  const r = await runNodeScript(script, [], process.env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

// A commit made from inside a call (a C++ function calling back into JS, which swaps in the next
// generation synchronously): the handle switches at once, but the old code — still on the stack
// — is disposed only when the outermost call returns. In a child process: getting this wrong
// returns into freed code.
test("a generation committed from a callback retires the old code after the running call returns", async () => {
  const out = await commitFromCallback(`
out.during = apply(() => {
  project.prepare(["k"]).commit();
  out.oldInside = oldVersion(); // not disposed yet: its code is on the stack
  return version();             // the handle calls the new generation already
});
try { oldVersion(); out.oldAfter = "alive"; } catch (e) { out.oldAfter = e.name; }
out.after = apply(() => version());
out.generation = project.library("k").generation;`);
  expect(out).toEqual({ during: 201, oldInside: 1, oldAfter: "DisposedError", after: 202, generation: 2 });
}, 300_000);

// The same through fn.exact (declared int results, docs/types.md#int-results): a handle's
// exact call is counted like a call, so the generation committed from its callback is
// retired only when it returns. Without the count, the old code is disposed under the
// running call (its oldInside read throws DisposedError, and the return lands in freed code).
test("a generation committed from a callback of fn.exact waits for that call too", async () => {
  const out = await commitFromCallback(`
const exact = apply.exact;
out.during = String(exact(() => {
  project.prepare(["k"]).commit();
  try { out.oldInside = oldVersion(); } catch (e) { out.oldInside = e.name; }
  return version();
}));
try { oldVersion(); out.oldAfter = "alive"; } catch (e) { out.oldAfter = e.name; }
out.after = String(apply.exact(() => version()));
out.same = apply.exact === exact;`);
  expect(out).toEqual({ during: "201", oldInside: 1, oldAfter: "DisposedError", after: "202", same: true });
}, 300_000);

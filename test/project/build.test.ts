// The project layer's build half (manifest → compiler), with real compilers in temp dirs.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { CompileError, ManifestError, OrcJitError } from "../../src/errors.js";
import { wrapperName } from "../../src/project/exports.js";
import { GENERATED_DIR, loadProject, type ProjectBuildProgress } from "../../src/project/index.js";
import { copyProject, tempDir, writeFiles } from "../cli/helpers.js";

function options(dir: string) {
  return { cacheDir: path.join(dir, ".cache"), env: {} };
}

describe("Project.build", () => {
  test("compiles every library, reports progress per file with global indices, then hits the cache", async () => {
    const dir = copyProject("multi-c");
    const project = await loadProject(dir, options(dir));
    expect(project.libraryNames).toEqual(["math", "kinds"]);
    expect(project.root).toBe(dir);
    expect(project.file).toBe(path.join(dir, "orcjit.yaml"));

    const events: ProjectBuildProgress[] = [];
    const r = await project.build({ onProgress: (e) => events.push(e) });
    expect(r).toMatchObject({ total: 3, compiled: 3, cached: 0 });
    expect(r.libraries.map((l) => [l.name, l.objects.map((o) => path.basename(o.source))])).toEqual([
      ["math", ["math.c"]],
      ["kinds", ["kinds.c", "strings.c"]],
    ]);
    const done = events.filter((e) => e.kind !== "start");
    expect(done.map((e) => e.kind)).toEqual(["compiled", "compiled", "compiled"]);
    expect(done.map((e) => e.index).sort()).toEqual([0, 1, 2]);
    expect(new Set(events.map((e) => e.total))).toEqual(new Set([3]));
    expect(done.map((e) => `${e.library}:${e.relativePath}`).sort()).toEqual(["kinds:src/kinds.c", "kinds:src/strings.c", "math:src/math.c"]);
    expect(project.library("kinds").objects).toHaveLength(2);
    expect(project.library("kinds").loaded).toBe(false);

    const again = await (await loadProject(dir, options(dir))).build();
    expect(again).toMatchObject({ total: 3, compiled: 0, cached: 3 });
    expect(again.libraries[1]!.objects.map((o) => o.objectPath)).toEqual(r.libraries[1]!.objects.map((o) => o.objectPath));
  });

  test("libraries with different compiler settings build in one call, with distinct progress indices", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "orcjit.yaml": "version: 1\nlibraries:\n  fast:\n    optLevel: 3\n    sources: [a.c, b.c]\n  small:\n    optLevel: s\n    debug: true\n    sources: [c.c]\n",
      "a.c": "int a(void) { return 1; }\n",
      "b.c": "int b(void) { return 2; }\n",
      "c.c": "int c(void) { return 3; }\n",
    });
    const events: ProjectBuildProgress[] = [];
    const r = await (await loadProject(dir, options(dir))).build({ onProgress: (e) => events.push(e) });
    expect(r.total).toBe(3);
    const done = events.filter((e) => e.kind !== "start");
    expect(done.map((e) => e.index).sort()).toEqual([0, 1, 2]);
    expect(done.find((e) => e.library === "small")?.relativePath).toBe("c.c");
  });

  test("a compile error in one settings group is the error reported, whatever the other groups do", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "orcjit.yaml": "version: 1\nlibraries:\n  ok:\n    optLevel: 1\n    sources: [a.c, b.c, c.c]\n  broken:\n    optLevel: 0\n    sources: [bad.c]\n",
      "a.c": "int a(void) { return 1; }\n",
      "b.c": "int b(void) { return 2; }\n",
      "c.c": "int c(void) { return 3; }\n",
      "bad.c": "int bad(void) { return }\n",
    });
    const err = await (await loadProject(dir, options(dir))).build().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).diagnostics[0]?.location?.file).toBe(path.join(dir, "bad.c"));
  });

  test("only the named libraries, and force recompiles", async () => {
    const dir = copyProject("multi-c");
    const project = await loadProject(dir, options(dir));
    const only = await project.build({ libraries: ["math"] });
    expect(only.libraries.map((l) => l.name)).toEqual(["math"]);
    expect(only.total).toBe(1);
    const forced = await project.build({ force: true });
    expect(forced).toMatchObject({ total: 3, compiled: 3, cached: 0 });
  });

  test("`functions:` generates an export wrapper that includes the source, rewritten only on change", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "orcjit.yaml": "version: 1\nlibraries:\n  lib:\n    sources: [src/k.cc]\n    functions: [twice]\n",
      "src/k.cc": "#include \"k.h\"\nint64_t twice(int64_t x) { return x * FACTOR; }\n",
      "src/k.h": "#include <cstdint>\n#define FACTOR 2\n",
    });
    const r = await (await loadProject(dir, options(dir))).build();
    const wrapper = path.join(dir, GENERATED_DIR, "lib", wrapperName("src/k.cc"));
    expect(path.basename(wrapper)).toMatch(/^src_k\.cc-[0-9a-f]{12}\.exports\.cc$/);
    expect(r.libraries[0]!.objects[0]!.source).toBe(wrapper);
    expect(readFileSync(wrapper, "utf8")).toContain(`#include ${JSON.stringify(path.join(dir, "src/k.cc"))}\n`);
    expect(readFileSync(wrapper, "utf8")).toContain("TVM_FFI_DLL_EXPORT_TYPED_FUNC(twice, twice);");
    // the header of the included source is a dependency of the object
    expect(r.libraries[0]!.objects[0]!.dependencies).toContain(path.join(dir, "src/k.h"));
    const mtime = statSync(wrapper).mtimeMs;
    const again = await (await loadProject(dir, options(dir))).build();
    expect(again.cached).toBe(1);
    expect(statSync(wrapper).mtimeMs).toBe(mtime);
  });

  test("a compile error is a CompileError whose diagnostics point into the user's file", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "orcjit.yaml": "version: 1\nlibraries:\n  lib:\n    sources: [bad.c]\n",
      "bad.c": "int f(void) {\n  return undefined_name;\n}\n",
    });
    const err = await (await loadProject(dir, options(dir))).build().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    const d = (err as CompileError).diagnostics.find((x) => x.severity === "error");
    expect(d?.location).toMatchObject({ file: path.join(dir, "bad.c"), line: 2 });
    expect(d?.message).toMatch(/undefined_name/);
  });

  test("library() of an unknown name names the known libraries; loadProject reports manifest errors", async () => {
    const dir = copyProject("multi-c");
    const project = await loadProject(path.join(dir, "orcjit.yaml"), options(dir));
    expect(() => project.library("nope")).toThrow(OrcJitError);
    expect(() => project.library("nope")).toThrow(/no library 'nope' in .*; libraries: math, kinds/);
    expect(() => project.library("math").getFunction("add")).toThrow(/library 'math' is not loaded: call project.load\(\) first/);
    writeFileSync(path.join(dir, "orcjit.yaml"), "version: 1\nlibraries: {}\n");
    await expect(loadProject(dir, options(dir))).rejects.toThrow(ManifestError);
  });

  test("rebuildLibraries and reload before load only rebuild, and report added/removed libraries", async () => {
    const dir = copyProject("multi-c");
    const project = await loadProject(dir, options(dir));
    await project.build();
    const events: ProjectBuildProgress[] = [];
    const rebuilt = await project.rebuildLibraries(["kinds"], { onProgress: (e) => events.push(e) });
    expect(rebuilt.relinked).toEqual([]);
    expect(rebuilt.build.libraries.map((l) => l.name)).toEqual(["kinds"]);
    expect(new Set(events.map((e) => e.library))).toEqual(new Set(["kinds"]));

    const yaml = readFileSync(path.join(dir, "orcjit.yaml"), "utf8").replace("  kinds:", "  extra:\n    sources: [src/math.c]\n  kinds:");
    writeFileSync(path.join(dir, "orcjit.yaml"), yaml);
    const kinds = project.library("kinds");
    const r = await project.reload();
    expect(r).toMatchObject({ added: ["extra"], removed: [], relinked: [] });
    expect(project.libraryNames).toEqual(["math", "extra", "kinds"]);
    expect(project.library("kinds")).toBe(kinds); // the same object survives a reload

    writeFileSync(path.join(dir, "orcjit.yaml"), yaml.replace("  extra:\n    sources: [src/math.c]\n", ""));
    expect(await project.reload()).toMatchObject({ added: [], removed: ["extra"] });
    expect(project.libraryNames).toEqual(["math", "kinds"]);

    // a manifest that no longer validates leaves the project as it was
    writeFileSync(path.join(dir, "orcjit.yaml"), "version: 1\nlibraries:\n  a:\n    sources: [missing.c]\n");
    await expect(project.reload()).rejects.toThrow(ManifestError);
    expect(project.libraryNames).toEqual(["math", "kinds"]);
  });
});

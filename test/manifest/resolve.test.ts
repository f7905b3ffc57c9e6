// The manifest layer alone: YAML → ResolvedManifest, with real files in temp dirs.
import { writeFileSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ManifestError } from "../../src/errors.js";
import { loadManifest, parseManifest, withDependents, manifestInputs } from "../../src/manifest/index.js";
import { useFixture, useTree } from "./helpers.js";

describe("a valid multi-library manifest", () => {
  test("resolves paths, merged flags, defines, link order and load order", async () => {
    const dir = useFixture("multi-lib");
    const m = await loadManifest(dir, { env: {}, displayPath: "orcjit.yaml" });
    expect(m.file).toBe(path.join(dir, "orcjit.yaml"));
    expect(m.root).toBe(dir);
    expect(m.profile).toBeUndefined();
    expect(m.profiles).toEqual(["debug"]);
    expect(m.libraries.map((l) => l.name)).toEqual(["math", "caller", "app"]);
    expect(m.loadOrder).toEqual(["math", "caller", "app"]);
    expect(m.warnings).toEqual([]);

    const [math, caller, app] = m.libraries;
    expect(math).toMatchObject({
      name: "math",
      compiler: "clang",
      optLevel: 2,
      linkOrder: [],
      objects: [],
      sharedLibraries: ["libm.so.6"],
      functions: [],
      location: { file: "orcjit.yaml", line: 10, column: 3 },
    });
    expect(math!.debug).toBeUndefined();
    expect(math!.sources).toEqual([
      {
        path: path.join(dir, "src/math.cc"),
        relativePath: "src/math.cc",
        language: "c++",
        flags: ["-Wall", "-std=c++17"],
        defines: { NDEBUG: true, LEVEL: "1" },
        includeDirs: [],
        functions: [],
        location: { file: "orcjit.yaml", line: 12, column: 9 },
      },
      {
        path: path.join(dir, "src/vec.c"),
        relativePath: "src/vec.c",
        language: "c",
        flags: ["-Wall", "-ffast-math"],
        defines: { NDEBUG: true, LEVEL: "1", VEC: "4" },
        includeDirs: [],
        functions: [],
        location: { file: "orcjit.yaml", line: 13, column: 17 },
      },
    ]);

    expect(caller).toMatchObject({
      linkOrder: ["math"],
      objects: [path.join(dir, "prebuilt/extra.o")],
      functions: ["call_math"],
    });
    expect(caller!.sources[0]).toMatchObject({
      language: "c++",
      flags: ["-Wall", "-DFAST", "-std=c++17"],
      includeDirs: [path.join(dir, "include")],
      functions: ["call_math"],
    });
    expect(app!.linkOrder).toEqual(["caller", "math"]);
    expect(app!.sources[0]!.flags).toEqual(["-Wall"]);

    // JSON-serialisable plain data
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  test("a profile selected by option overrides scalars, appends lists and removes defines", async () => {
    const dir = useFixture("multi-lib");
    const m = await loadManifest(path.join(dir, "orcjit.yaml"), { profile: "debug", env: {} });
    expect(m.profile).toBe("debug");
    const math = m.libraries[0]!;
    expect(math.optLevel).toBe(0);
    expect(math.debug).toBe(true);
    expect(math.sources[0]!.flags).toEqual(["-Wall", "-fsanitize-trap", "-std=c++17"]);
    expect(math.sources[0]!.defines).toEqual({ LEVEL: "1" });
    expect(m.libraries[1]!.sources[0]!.flags).toEqual(["-Wall", "-DFAST", "-std=c++17"]);
  });

  test("ORCJIT_PROFILE selects a profile; the option wins over it", async () => {
    const dir = useFixture("multi-lib");
    expect((await loadManifest(dir, { env: { ORCJIT_PROFILE: "debug" } })).profile).toBe("debug");
    const m = parseManifest("version: 1\nlibraries:\n  a:\n    sources: []\nprofiles:\n  fast: {}\n  slow: {}\n", path.join(dir, "x.yaml"), {
      profile: "fast",
      env: { ORCJIT_PROFILE: "slow" },
    });
    expect(m.profile).toBe("fast");
  });

  test("graph helpers: dependents in load order and the input files", async () => {
    const dir = useFixture("multi-lib");
    const m = await loadManifest(dir, { env: {} });
    expect(withDependents(m, ["math"])).toEqual(["math", "caller", "app"]);
    expect(withDependents(m, ["caller"])).toEqual(["caller", "app"]);
    expect(withDependents(m, ["app"])).toEqual(["app"]);
    expect(manifestInputs(m)).toContain(path.join(dir, "src/vec.c"));
    expect(manifestInputs(m)).toContain(path.join(dir, "prebuilt/extra.o"));
  });

  test("an empty library is a warning, not an error; allowOutsideRoot accepts outside paths", () => {
    const outer = useTree({ "shared/x.c": "int x;", "proj/keep": "" });
    const m = parseManifest(
      "version: 1\nlibraries:\n  empty:\n    sources: []\n  shared:\n    sources: [../shared/x.c]\n",
      path.join(outer, "proj/orcjit.yaml"),
      { allowOutsideRoot: true, env: {}, displayPath: "orcjit.yaml" },
    );
    expect(m.warnings.map((w) => `${w.location?.line}:${w.location?.column}: ${w.message}`)).toEqual([
      "3:3: library 'empty' has no sources and no objects: it will be empty",
    ]);
    expect(m.libraries[1]!.sources[0]!.path).toBe(path.join(outer, "shared/x.c"));
  });

  test("aliases and anchors are resolved", () => {
    const dir = useTree({ "a.c": "", "b.c": "" });
    const m = parseManifest(
      "version: 1\nlibraries:\n  a:\n    sources: [a.c]\n    cflags: &common [-O1, -g]\n  b:\n    sources: [b.c]\n    cflags: *common\n",
      path.join(dir, "orcjit.yaml"),
      { env: {} },
    );
    expect(m.libraries[1]!.sources[0]!.flags).toEqual(["-O1", "-g"]);
  });

  test("a missing manifest file is a ManifestError", async () => {
    const dir = useTree();
    await expect(loadManifest(dir)).rejects.toThrow(ManifestError);
    await expect(loadManifest(dir)).rejects.toThrow(/cannot read manifest .*orcjit\.yaml: no such file/);
  });

  test("the default display path is relative to the working directory", () => {
    const dir = useTree();
    writeFileSync(path.join(dir, "orcjit.yaml"), "version: 3\nlibraries: {}\n");
    mkdirSync(path.join(dir, "sub"));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      parseManifest("version: 3\n", path.join(dir, "orcjit.yaml"));
      expect.unreachable();
    } catch (e) {
      expect((e as ManifestError).message).toMatch(/^orcjit\.yaml:1:10: error: version must be 1/m);
    } finally {
      process.chdir(cwd);
    }
  });
});

// Every kind of manifest error, with the line and column it points at.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ManifestError } from "../../src/errors.js";
import { loadManifest } from "../../src/manifest/index.js";
import { diagnosticsOf, fixturesDir, lines, useTree } from "./helpers.js";

const files = { "src/a.cc": "int a;", "src/b.c": "int b;", "src/c.c": "int c;", "include/x.h": "" };

describe("YAML syntax errors", () => {
  test("an unterminated flow sequence", () => {
    const d = diagnosticsOf(useTree(files), "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc\n");
    expect(d).toHaveLength(1);
    expect(lines(d)[0]).toMatch(/^orcjit\.yaml:5:1: error: YAML syntax error: .*\]/);
  });

  test("bad indentation points at the offending line", () => {
    const d = diagnosticsOf(useTree(files), "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc]\n   cflags: [-O2]\n");
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]!.location).toMatchObject({ file: "orcjit.yaml", line: 5 });
    expect(d[0]!.message).toMatch(/^YAML syntax error: /);
  });

  test("a duplicate library name", () => {
    const d = diagnosticsOf(useTree(files), "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc]\n  a:\n    sources: [src/b.c]\n");
    expect(lines(d)).toEqual(["orcjit.yaml:5:3: error: YAML syntax error: Map keys must be unique"]);
  });

  test("an empty file", () => {
    expect(lines(diagnosticsOf(useTree(), ""))).toEqual([
      "orcjit.yaml:1:1: error: the manifest is empty: expected a mapping with 'version: 1' and 'libraries'",
    ]);
  });
});

describe("schema violations", () => {
  test("an unknown key, with a suggestion", () => {
    const d = diagnosticsOf(useTree(files), "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc]\n    linkorder: []\n");
    expect(lines(d)).toEqual(["orcjit.yaml:5:5: error: unknown key 'linkorder' in library 'a' (did you mean 'linkOrder'?)"]);
  });

  test("an unknown top-level key", () => {
    const d = diagnosticsOf(useTree(files), "version: 1\nlibs: {}\nlibraries:\n  a:\n    sources: [src/a.cc]\n");
    expect(lines(d)).toEqual(["orcjit.yaml:2:1: error: unknown key 'libs' in the manifest (did you mean 'libraries'?)"]);
  });

  test("a wrong type", () => {
    const d = diagnosticsOf(useTree(files), "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc]\n    cflags: -O2\n");
    expect(lines(d)).toEqual(['orcjit.yaml:5:13: error: libraries.a.cflags must be a list, got string "-O2"']);
  });

  test("missing sources, pointing at the library's name", () => {
    const d = diagnosticsOf(useTree(files), "version: 1\nlibraries:\n  math:\n    cflags: [-O2]\n  b:\n    sources: [src/b.c]\n");
    expect(lines(d)).toEqual(["orcjit.yaml:3:3: error: library 'math' is missing required key 'sources'"]);
  });

  test("missing version and a wrong version", () => {
    expect(lines(diagnosticsOf(useTree(files), "libraries:\n  a:\n    sources: [src/a.cc]\n"))).toEqual([
      "orcjit.yaml:1:1: error: the manifest is missing required key 'version'",
    ]);
    expect(lines(diagnosticsOf(useTree(files), "version: 2\nlibraries:\n  a:\n    sources: [src/a.cc]\n"))).toEqual([
      "orcjit.yaml:1:10: error: version must be 1, got number 2",
    ]);
  });

  test("an invalid library name, enum values and nested source objects, all reported at once", () => {
    const d = diagnosticsOf(
      useTree(files),
      [
        "version: 1",
        "libraries:",
        "  my.lib:",
        "    sources: [src/a.cc]",
        "  b:",
        "    optLevel: 5",
        "    sources:",
        "      - { path: src/b.c, language: fortran, bogus: 1 }",
        "    defines: { X: [1] }",
        "    functions: [not-an-identifier]",
        "",
      ].join("\n"),
    );
    expect(lines(d)).toEqual([
      "orcjit.yaml:3:3: error: invalid library name 'my.lib' in libraries: use letters, digits, '_' and '-', starting with a letter or '_' (no dots)",
      'orcjit.yaml:6:15: error: libraries.b.optLevel must be one of 0, 1, 2, 3, "s", got number 5',
      'orcjit.yaml:8:36: error: libraries.b.sources[0].language must be one of "c", "c++", "cuda", got string "fortran"',
      "orcjit.yaml:8:45: error: unknown key 'bogus' in libraries.b.sources[0]; allowed: path, language, cflags, defines, includeDirs, functions",
      "orcjit.yaml:9:19: error: libraries.b.defines.X must be a string or a number or a boolean (true/false), got a list",
      "orcjit.yaml:10:17: error: libraries.b.functions[0]: 'not-an-identifier' is not a valid name (use a C identifier)",
    ]);
  });

  test("a source object without a path", () => {
    const d = diagnosticsOf(useTree(files), "version: 1\nlibraries:\n  a:\n    sources:\n      - language: c\n");
    expect(lines(d)).toEqual(["orcjit.yaml:5:9: error: libraries.a.sources[0] is missing required key 'path'"]);
  });
});

describe("semantic errors", () => {
  test("an unknown library in linkOrder, with a suggestion", () => {
    const d = diagnosticsOf(
      useTree(files),
      "version: 1\nlibraries:\n  math:\n    sources: [src/a.cc]\n  caller:\n    sources: [src/b.c]\n    linkOrder: [mathh]\n",
    );
    expect(lines(d)).toEqual(["orcjit.yaml:7:17: error: unknown library 'mathh' in linkOrder of 'caller' (did you mean 'math'?)"]);
  });

  test("a linkOrder cycle is named", () => {
    const d = diagnosticsOf(
      useTree(files),
      [
        "version: 1",
        "libraries:",
        "  a:",
        "    sources: [src/a.cc]",
        "    linkOrder: [b]",
        "  b:",
        "    sources: [src/b.c]",
        "    linkOrder: [c]",
        "  c:",
        "    sources: [src/c.c]",
        "    linkOrder: [a]",
        "",
      ].join("\n"),
    );
    expect(lines(d)).toEqual(["orcjit.yaml:11:17: error: linkOrder cycle: a -> b -> c -> a"]);
  });

  test("a library linking itself", () => {
    const d = diagnosticsOf(useTree(files), "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc]\n    linkOrder: [a]\n");
    expect(lines(d)).toEqual(["orcjit.yaml:5:17: error: library 'a' lists itself in linkOrder"]);
  });

  test("a missing source file", () => {
    const dir = useTree(files);
    const d = diagnosticsOf(dir, "version: 1\nlibraries:\n  a:\n    sources:\n      - src/a.cc\n      - src/nope.cc\n");
    expect(lines(d)).toEqual([`orcjit.yaml:6:9: error: source file 'src/nope.cc' not found (looked for ${path.join(dir, "src/nope.cc")})`]);
  });

  test("missing include directories and objects; a directory given as a source", () => {
    const dir = useTree(files);
    const d = diagnosticsOf(
      dir,
      "version: 1\nlibraries:\n  a:\n    sources: [src]\n    includeDirs: [include, inc]\n    objects: [x.o]\n",
    );
    expect(lines(d)).toEqual([
      "orcjit.yaml:4:15: error: cannot tell the language of 'src' from its extension: use { path: src, language: c | c++ | cuda }",
      `orcjit.yaml:5:28: error: include directory 'inc' not found (looked for ${path.join(dir, "inc")})`,
      `orcjit.yaml:6:15: error: object file 'x.o' not found (looked for ${path.join(dir, "x.o")})`,
    ]);
  });

  test("a path escaping the project root", () => {
    const outer = useTree({ "outside.c": "int o;", "proj/src/a.cc": "" });
    const dir = path.join(outer, "proj");
    const d = diagnosticsOf(dir, "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc, ../outside.c]\n");
    expect(lines(d)).toEqual([
      `orcjit.yaml:4:25: error: source file '../outside.c' is outside the project root ${dir} (set allowOutsideRoot / --allow-outside-root to permit it)`,
    ]);
    const abs = diagnosticsOf(dir, `version: 1\nlibraries:\n  a:\n    includeDirs: [${outer}]\n    sources: [src/a.cc]\n`);
    expect(lines(abs)[0]).toMatch(/^orcjit\.yaml:4:19: error: include directory '.*' is outside the project root/);
  });

  test("a symlink escaping the project root", () => {
    const outer = useTree({ "secret/evil.c": "int e;", "proj/src/a.cc": "" });
    const dir = path.join(outer, "proj");
    symlinkSync(path.join(outer, "secret/evil.c"), path.join(dir, "src/evil.c"));
    symlinkSync(path.join(outer, "secret"), path.join(dir, "linkdir"));
    const d = diagnosticsOf(dir, "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc, src/evil.c]\n    includeDirs: [linkdir]\n");
    expect(lines(d)).toEqual([
      `orcjit.yaml:4:25: error: source file 'src/evil.c' is a symlink to ${path.join(outer, "secret/evil.c")}, outside the project root ${dir} (set allowOutsideRoot / --allow-outside-root to permit it)`,
      `orcjit.yaml:5:19: error: include directory 'linkdir' is a symlink to ${path.join(outer, "secret")}, outside the project root ${dir} (set allowOutsideRoot / --allow-outside-root to permit it)`,
    ]);
    // a symlink that stays inside the root is fine
    symlinkSync(path.join(dir, "src/a.cc"), path.join(dir, "alias.cc"));
    writeFileSync(path.join(dir, "orcjit.yaml"), "version: 1\nlibraries:\n  a:\n    sources: [alias.cc]\n");
    return expect(loadManifest(dir, { env: {} })).resolves.toMatchObject({ libraries: [{ name: "a" }] });
  });

  test("a header listed as a source, and the same source listed twice", () => {
    const d = diagnosticsOf(
      useTree(files),
      "version: 1\nlibraries:\n  a:\n    sources: [include/x.h, src/a.cc, ./src/a.cc]\n",
    );
    expect(lines(d)).toEqual([
      "orcjit.yaml:4:15: error: 'include/x.h' is a header: list its directory in includeDirs instead of sources",
      "orcjit.yaml:4:38: error: source 'src/a.cc' is listed twice in library 'a' (first at sources[1])".replace("src/a.cc' is", "./src/a.cc' is"),
    ]);
  });

  test("functions need exactly one C++ source, and C sources cannot have them", () => {
    const d = diagnosticsOf(
      useTree({ ...files, "src/d.cc": "" }),
      [
        "version: 1",
        "libraries:",
        "  two:",
        "    sources: [src/a.cc, src/d.cc]",
        "    functions: [f]",
        "  c:",
        "    sources:",
        "      - { path: src/c.c, functions: [g] }",
        "  dup:",
        "    sources:",
        "      - { path: src/a.cc, functions: [h, h] }",
        "",
      ].join("\n"),
    );
    expect(lines(d)).toEqual([
      "orcjit.yaml:5:5: error: library 'two' has 2 C++ sources: list functions on the source that defines them ({ path: ..., functions: [...] })",
      "orcjit.yaml:8:26: error: functions can only be generated for C++ sources; 'src/c.c' is C: define __tvm_ffi_<name> yourself",
      "orcjit.yaml:11:17: error: function 'h' is exported twice by library 'dup'",
    ]);
  });

  test("an unknown profile (option and environment) and a profile overriding an unknown library", () => {
    const dir = useTree(files);
    const yaml = "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc]\nprofiles:\n  debug:\n    libraries:\n      b: { debug: true }\n";
    expect(lines(diagnosticsOf(dir, yaml, { profile: "debgu" }))).toEqual([
      "orcjit.yaml:5:1: error: unknown profile 'debgu' (did you mean 'debug'?)",
      "orcjit.yaml:8:7: error: profile 'debug' overrides unknown library 'b'",
    ]);
    const noProfiles = "version: 1\nlibraries:\n  a:\n    sources: [src/a.cc]\n";
    expect(lines(diagnosticsOf(dir, noProfiles, { env: { ORCJIT_PROFILE: "ci" } }))).toEqual([
      "orcjit.yaml:1:1: error: unknown profile 'ci' (from ORCJIT_PROFILE); the manifest defines no profiles",
    ]);
  });

  test("ManifestError's message lists every diagnostic in file:line:col form", async () => {
    const dir = useTree(files);
    mkdirSync(path.join(dir, "sub"));
    writeFileSync(path.join(dir, "sub/orcjit.yaml"), "version: 1\nlibraries:\n  a:\n    sources: [x.c, y.c]\n");
    const err = await loadManifest(path.join(dir, "sub"), { displayPath: "sub/orcjit.yaml" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).code).toBe("ORCJIT_MANIFEST");
    expect((err as ManifestError).message.split("\n")).toEqual([
      `sub/orcjit.yaml:4:15: error: source file 'x.c' not found (looked for ${path.join(dir, "sub/x.c")})`,
      `sub/orcjit.yaml:4:20: error: source file 'y.c' not found (looked for ${path.join(dir, "sub/y.c")})`,
    ]);
  });

  test("the fixture directory holds a valid manifest (guards the fixture itself)", async () => {
    await expect(loadManifest(path.join(fixturesDir, "multi-lib"), { env: {} })).resolves.toBeTruthy();
  });
});

describe("every independent problem in one run", () => {
  test("schema errors, a missing source, unknown linkOrder names and a cycle are reported together", () => {
    const dir = useTree(files);
    const yaml = [
      "version: 1", // 1
      "libraries:",
      "  a:",
      "    sources: [src/a.cc, src/missing.c]", // 4: missing file
      "    linkorder: [b]", // 5: unknown key
      "    optLevel: 7", // 6: bad enum
      "  b:",
      "    sources: [src/b.c]",
      "    linkOrder: [c, nope]", // 9: unknown name
      "  c:",
      "    sources: [src/c.c]",
      "    linkOrder: [b]", // 12: cycle b -> c -> b
      "",
    ].join("\n");
    expect(lines(diagnosticsOf(dir, yaml))).toEqual([
      `orcjit.yaml:4:25: error: source file 'src/missing.c' not found (looked for ${path.join(dir, "src/missing.c")})`,
      "orcjit.yaml:5:5: error: unknown key 'linkorder' in library 'a' (did you mean 'linkOrder'?)",
      'orcjit.yaml:6:15: error: libraries.a.optLevel must be one of 0, 1, 2, 3, "s", got number 7',
      "orcjit.yaml:9:20: error: unknown library 'nope' in linkOrder of 'b'; libraries: a, b, c",
      "orcjit.yaml:12:17: error: linkOrder cycle: b -> c -> b",
    ]);
  });

  test("problems that only follow from a schema error are held back", () => {
    const dir = useTree(files);
    const yaml = [
      "version: 1",
      "libraries:",
      "  a: 5", // 3: not a mapping; 'b' still names it in linkOrder without an 'unknown library'
      "  b:",
      "    sources: [src/a.cc, 7]", // 5: the second source is rejected...
      "    functions: [f]", // ...so "functions needs exactly one C++ source" is not judged
      "    linkOrder: [a, 3x]", // 7: an invalid name, not also an unknown library
      "    includeDirs: [nowhere]", // 8: independent: reported
      "",
    ].join("\n");
    expect(lines(diagnosticsOf(dir, yaml))).toEqual([
      "orcjit.yaml:3:6: error: libraries.a must be a mapping, got number 5",
      "orcjit.yaml:5:25: error: libraries.b.sources[1] must be a string, got number 7",
      "orcjit.yaml:7:20: error: libraries.b.linkOrder[1]: '3x' is not a valid name (use letters, digits, '_' and '-', starting with a letter or '_')",
      `orcjit.yaml:8:19: error: include directory 'nowhere' not found (looked for ${path.join(dir, "nowhere")})`,
    ]);
  });
});

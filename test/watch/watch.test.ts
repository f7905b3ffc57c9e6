// Watch mode, driven by real file edits in temp directories: every wait is on a watcher event.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { CompileError, DisposedError, LinkError, ManifestError, SymbolNotFoundError } from "../../src/errors.js";
import type { BuildingEvent, ReloadEvent } from "../../src/watch/index.js";
import { copyFixture, editFile, nextEvent, recordEvents, replaceIn, startWatcher, writeFileAtomic } from "./helpers.js";

describe("watchProject: source and header edits", () => {
  test("a source edit hot-swaps the library and its dependants; handles stay valid", async () => {
    const dir = copyFixture("hot");
    const w = await startWatcher(dir);
    const value = w.library("math").getFunction("value");
    const callValue = w.library("caller").getFunction("call_value");
    expect(value(1)).toBe(2);
    expect(callValue(1)).toBe(1002);
    expect(w.library("math").getFunction("value")).toBe(value); // one handle per function
    expect(w.generation).toBe(1);
    const src = path.join(dir, "src/math.c");
    expect(w.watchedFiles).toEqual(expect.arrayContaining([src, path.join(dir, "include/scale.h"), path.join(dir, "orcjit.yaml")]));

    const reloaded = nextEvent(w, "reload");
    replaceIn(src, "x * SCALE + OFFSET", "x * SCALE + OFFSET + 100");
    const e = await reloaded;
    expect(e).toMatchObject({ libraries: ["math", "caller"], changedFiles: [src], generation: 2, added: [], removed: [] });
    // only math is compiled; every library is looked up (a missed header edit would show)
    expect(e.build).toMatchObject({ total: 3, compiled: 1, cached: 2 });
    expect(e.durationMs).toBeGreaterThan(0);
    // same handles, new code; the dependant was re-linked against the new math
    expect(value(1)).toBe(102);
    expect(callValue(1)).toBe(1102);
    expect(w.library("math").generation).toBe(2);
    expect(w.library("other").generation).toBe(1);
    expect(w.library("other").getFunction("other")()).toBe(7);
  });

  test("a header edit rebuilds exactly the libraries whose objects include it", async () => {
    const dir = copyFixture("hot");
    const w = await startWatcher(dir);
    const value = w.library("math").getFunction("value");
    const other = w.library("other").getFunction("other");
    const header = path.join(dir, "include/scale.h");

    const building = nextEvent(w, "building");
    const reloaded = nextEvent(w, "reload");
    editFile(header, () => "#define SCALE 3\n");
    expect(await building).toEqual<BuildingEvent>({ changedFiles: [header], libraries: ["math"], manifest: false });
    const e = await reloaded;
    expect(e.libraries).toEqual(["math", "caller"]); // caller re-linked, not recompiled
    expect(e.build).toMatchObject({ total: 3, compiled: 1 });
    expect(value(5)).toBe(15);
    expect(w.library("other").generation).toBe(1);

    const otherHeader = path.join(dir, "include/other.h");
    const again = nextEvent(w, "reload");
    editFile(otherHeader, () => "#define OTHER 8\n");
    expect((await again).libraries).toEqual(["other"]);
    expect(other()).toBe(8);
    expect(w.library("math").generation).toBe(2);
  });

  test("a header newly included by an edit is watched from then on", async () => {
    const dir = copyFixture("hot");
    const w = await startWatcher(dir);
    const value = w.library("math").getFunction("value");
    const extra = path.join(dir, "include/extra.h");
    writeFileSync(extra, "#define EXTRA 40\n");
    const reloaded = nextEvent(w, "reload");
    replaceIn(path.join(dir, "src/math.c"), '#include "scale.h"', '#include "scale.h"\n#include "extra.h"');
    replaceIn(path.join(dir, "src/math.c"), "x * SCALE + OFFSET", "x * SCALE + OFFSET + EXTRA");
    await reloaded;
    expect(value(1)).toBe(42);
    expect(w.watchedFiles).toContain(extra);

    const again = nextEvent(w, "reload");
    writeFileSync(extra, "#define EXTRA 50\n");
    expect((await again).libraries).toEqual(["math", "caller"]);
    expect(value(1)).toBe(52);
  });
});

describe("watchProject: editor save patterns", () => {
  test("an atomic rename and a burst of writes each give one rebuild", async () => {
    const dir = copyFixture("hot");
    const w = await startWatcher(dir, { debounceMs: 100 });
    const log = recordEvents(w);
    const src = path.join(dir, "src/math.c");
    const value = w.library("math").getFunction("value");
    const original = readFileSync(src, "utf8");

    let reloaded = nextEvent(w, "reload");
    writeFileAtomic(src, original.replace("x * SCALE + OFFSET", "x * SCALE + 1"));
    await reloaded;
    expect(value(1)).toBe(3);

    reloaded = nextEvent(w, "reload");
    for (let i = 2; i <= 6; i++) writeFileSync(src, original.replace("x * SCALE + OFFSET", `x * SCALE + ${i}`));
    await reloaded;
    expect(value(1)).toBe(8);

    // A sentinel edit to another library: any late, duplicate event for math.c would show up
    // as one more build naming it before (or together with) the sentinel's.
    const otherSrc = path.join(dir, "src/other.c");
    const sentinel = nextEvent(w, "reload", (e) => e.changedFiles.includes(otherSrc));
    replaceIn(otherSrc, "ffi_ret_int(result, OTHER)", "ffi_ret_int(result, OTHER + 1)");
    await sentinel;
    const builds = log.filter((l) => l.event === "building").map((l) => (l.args[0] as BuildingEvent).changedFiles);
    expect(builds.filter((files) => files.includes(src))).toHaveLength(2);
    expect(log.filter((l) => l.event === "error")).toEqual([]);
  });
});

describe("watchProject: broken edits keep the previous generation serving", () => {
  test("syntax error, then link error, then a missing function; each fixed edit recovers", async () => {
    const dir = copyFixture("hot");
    const w = await startWatcher(dir);
    const value = w.library("math").getFunction("value");
    const callValue = w.library("caller").getFunction("call_value");
    const src = path.join(dir, "src/math.c");
    const good = readFileSync(src, "utf8");

    // syntax error → CompileError with file:line:col diagnostics
    let failed = nextEvent(w, "error");
    writeFileSync(src, good.replace("return x * SCALE + OFFSET;", "return x * SCALE + OFFSET +;"));
    let error = await failed;
    expect(error).toBeInstanceOf(CompileError);
    const d = (error as CompileError).diagnostics.find((x) => x.severity === "error");
    expect(d?.location).toMatchObject({ file: src, line: 4 });
    expect(error.message).toMatch(/math\.c:4:\d+: error: /);
    expect(value(1)).toBe(2);
    expect(callValue(1)).toBe(1002);
    expect(w.generation).toBe(1);

    let reloaded = nextEvent(w, "reload");
    writeFileSync(src, good.replace("x * SCALE + OFFSET", "x * SCALE + 10"));
    expect((await reloaded).generation).toBe(2);
    expect(value(1)).toBe(12);

    // unresolved symbol → LinkError when the new generation is linked; old one serves
    failed = nextEvent(w, "error");
    writeFileSync(src, good.replace("int64_t math_value(int64_t x) {", "int64_t not_defined_anywhere(int64_t);\nint64_t math_value(int64_t x) {\n  if (x == 99) return not_defined_anywhere(x);"));
    error = await failed;
    expect(error).toBeInstanceOf(LinkError);
    expect(error.message).toMatch(/not_defined_anywhere/);
    expect(value(1)).toBe(12);
    expect(callValue(1)).toBe(1012);

    // the function a handle calls disappears → rejected, old one serves
    failed = nextEvent(w, "error");
    writeFileSync(src, good.replace("FFI_FN(value)", "FFI_FN(value_renamed)"));
    error = await failed;
    expect(error).toBeInstanceOf(SymbolNotFoundError);
    expect(error.message).toMatch(/'value'/);
    expect(value(1)).toBe(12);
    expect(w.library("math").generation).toBe(2);

    reloaded = nextEvent(w, "reload");
    writeFileSync(src, good);
    expect((await reloaded).generation).toBe(3);
    expect(value(1)).toBe(2);
    expect(callValue(1)).toBe(1002);
  });

  test("an error in a header the broken edit newly includes: fixing the header recovers", async () => {
    const dir = copyFixture("hot");
    const w = await startWatcher(dir);
    const value = w.library("math").getFunction("value");
    const header = path.join(dir, "include/fresh.h");
    writeFileSync(header, "#define FRESH 5\nint broken_here(;\n");
    const failed = nextEvent(w, "error");
    const src = path.join(dir, "src/math.c");
    writeFileAtomic(
      src,
      readFileSync(src, "utf8").replace('#include "scale.h"', '#include "scale.h"\n#include "fresh.h"').replace("x * SCALE + OFFSET", "x * SCALE + OFFSET + FRESH"),
    );
    const error = await failed;
    expect(error).toBeInstanceOf(CompileError);
    expect((error as CompileError).diagnostics.some((d) => d.location?.file === header)).toBe(true);
    expect(w.watchedFiles).toContain(header);
    expect(value(1)).toBe(2);
    const reloaded = nextEvent(w, "reload");
    writeFileSync(header, "#define FRESH 5\n");
    expect((await reloaded).changedFiles).toEqual([header]);
    expect(value(1)).toBe(7);
  });
});

describe("watchProject: manifest edits", () => {
  test("changed defines, a new library, a changed link order, an invalid manifest", async () => {
    const dir = copyFixture("hot");
    const w = await startWatcher(dir);
    const value = w.library("math").getFunction("value");
    const callValue = w.library("caller").getFunction("call_value");
    const yaml = path.join(dir, "orcjit.yaml");

    // changed flags
    let reloaded = nextEvent(w, "reload");
    replaceIn(yaml, "OFFSET: 0", "OFFSET: 2");
    let e: ReloadEvent = await reloaded;
    expect(e).toMatchObject({ libraries: ["math", "caller"], changedFiles: [yaml] });
    expect(value(1)).toBe(4);
    expect(callValue(1)).toBe(1004);

    // a new library (math2: another math_value), then the caller links against it instead
    writeFileSync(
      path.join(dir, "src/math2.c"),
      "#include <stdint.h>\nint64_t math_value(int64_t x) { return -x; }\n",
    );
    reloaded = nextEvent(w, "reload");
    replaceIn(yaml, "  other:\n", "  math2:\n    sources: [src/math2.c]\n  other:\n");
    e = await reloaded;
    expect(e.added).toEqual(["math2"]);
    expect(w.libraryNames).toContain("math2");
    expect(w.watchedFiles).toContain(path.join(dir, "src/math2.c"));

    reloaded = nextEvent(w, "reload");
    replaceIn(yaml, "linkOrder: [math]", "linkOrder: [math2]");
    e = await reloaded;
    expect(e.libraries).toEqual(["caller"]);
    expect(callValue(3)).toBe(997);
    expect(value(1)).toBe(4);

    // a manifest that no longer validates: ManifestError with line/col; the project keeps running
    const failed = nextEvent(w, "error");
    const restore = editFile(yaml, (t) => t.replace("linkOrder: [math2]", "linkOrder: [nowhere]"));
    const error = await failed;
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).diagnostics[0]?.location).toMatchObject({ file: expect.stringContaining("orcjit.yaml") as string, line: expect.any(Number) as number });
    expect(callValue(3)).toBe(997);

    reloaded = nextEvent(w, "reload");
    restore();
    replaceIn(yaml, "OFFSET: 2", "OFFSET: 3"); // a real change after the restore
    await reloaded;
    expect(value(1)).toBe(5);
    expect(callValue(3)).toBe(997);
  });

  test("removing a library: its handles throw, the others keep working", async () => {
    const dir = copyFixture("hot");
    const w = await startWatcher(dir);
    const other = w.library("other").getFunction("other");
    const value = w.library("math").getFunction("value");
    const reloaded = nextEvent(w, "reload");
    replaceIn(path.join(dir, "orcjit.yaml"), "  other:\n    sources: [src/other.c]\n", "");
    expect((await reloaded).removed).toEqual(["other"]);
    expect(() => other()).toThrow(DisposedError);
    expect(value(1)).toBe(2);
  });
});

describe("watchProject: close", () => {
  test("close while a build runs discards its result and unloads everything", async () => {
    const dir = copyFixture("hot");
    const w = await startWatcher(dir);
    const log = recordEvents(w);
    const value = w.library("math").getFunction("value");
    const building = nextEvent(w, "building");
    replaceIn(path.join(dir, "src/math.c"), "x * SCALE + OFFSET", "x * SCALE + 77");
    await building;
    await w.close();
    expect(w.closed).toBe(true);
    expect(w.project.loaded).toBe(false);
    expect(() => value(1)).toThrow(DisposedError);
    expect(log.map((l) => l.event)).toEqual(["building"]);
    await w.close(); // idempotent
    await expect(w.reload()).rejects.toThrow(DisposedError);
  });
});

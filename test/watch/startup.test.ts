// A project broken at startup (waitForFix): reported, watched, loaded by the first good edit.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { CompileError, ManifestError, OrcJitError } from "../../src/errors.js";
import type { WatchErrorInfo } from "../../src/watch/index.js";
import { copyFixture, nextEvent, replaceIn, startWatcher } from "./helpers.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof OrcJitError ? e.code : `not an OrcJitError: ${String(e)}`;
  }
  return undefined;
}

describe("watchProject({ waitForFix }): a broken project at startup", () => {
  test("a syntax error: error event, handles throw ORCJIT_NOT_LOADED; the fix loads generation 1", async () => {
    const dir = copyFixture("hot");
    const src = path.join(dir, "src/math.c");
    replaceIn(src, "x * SCALE + OFFSET;", "x * SCALE + OFFSET + ;");
    const w = await startWatcher(dir, { waitForFix: true });
    // emitted after watchProject resolved: a listener attached now receives it
    const failed = new Promise<[Error, WatchErrorInfo]>((resolve) => w.once("error", (e, info) => resolve([e, info])));
    expect(w.loaded).toBe(false);
    expect(w.generation).toBe(0);
    expect(w.libraryNames).toEqual([]);
    expect(w.startupError).toBeInstanceOf(CompileError);
    expect(w.watchedFiles).toEqual(expect.arrayContaining([src, path.join(dir, "orcjit.yaml"), path.join(dir, "src/caller.c")]));

    const value = w.library("math").getFunction("value");
    const callValue = w.library("caller").getFunction("call_value");
    const typo = w.library("nosuchlib").getFunction("f"); // unchecked until the first load
    expect(w.library("math").generation).toBe(0);
    expect(codeOf(() => value(1))).toBe("ORCJIT_NOT_LOADED");
    expect(() => value(1)).toThrow(/^project not loaded yet: .*src\/math\.c:4:\d+: error: /);
    expect(codeOf(() => w.project)).toBe("ORCJIT_NOT_LOADED");

    const [error, info] = await failed;
    expect(error).toBe(w.startupError);
    expect(info).toEqual({ generation: 0, changedFiles: [] });

    const reloaded = nextEvent(w, "reload");
    replaceIn(src, "x * SCALE + OFFSET + ;", "x * SCALE + OFFSET;");
    const e = await reloaded;
    expect(e).toMatchObject({ generation: 1, changedFiles: [src], libraries: ["math", "caller", "other"], added: [], removed: [] });
    expect(w.loaded).toBe(true);
    expect(w.startupError).toBeUndefined();
    expect(w.initialBuild).toBe(e.build);
    expect(value(1)).toBe(2);
    expect(callValue(1)).toBe(1002);
    expect(w.library("math").generation).toBe(1);
    expect(codeOf(() => typo())).toBe("ORCJIT_UNKNOWN_LIBRARY");
    expect(w.watchedFiles).toContain(path.join(dir, "include/scale.h")); // depfiles of the first load

    // from here on it is a normal watcher: a header edit rebuilds exactly math
    const again = nextEvent(w, "reload");
    writeFileSync(path.join(dir, "include/scale.h"), "#define SCALE 5\n");
    expect(await again).toMatchObject({ generation: 2, libraries: ["math", "caller"] });
    expect(value(1)).toBe(5);
  });

  test("a broken header named only by the diagnostics is watched; fixing it loads the project", async () => {
    const dir = copyFixture("hot");
    const header = path.join(dir, "include/scale.h");
    writeFileSync(header, "#define SCALE 2\nint broken(;\n");
    const w = await startWatcher(dir, { waitForFix: true });
    expect(w.loaded).toBe(false);
    expect(w.watchedFiles).toContain(header);
    expect(await nextEvent(w, "error")).toBeInstanceOf(CompileError);
    const reloaded = nextEvent(w, "reload");
    writeFileSync(header, "#define SCALE 3\n");
    expect((await reloaded).generation).toBe(1);
    expect(w.library("math").getFunction("value")(1)).toBe(3);
  });

  test("an invalid manifest: ManifestError; the fixed manifest loads", async () => {
    const dir = copyFixture("hot");
    const yaml = path.join(dir, "orcjit.yaml");
    replaceIn(yaml, "linkOrder: [math]", "linkOrder: [nowhere]");
    const w = await startWatcher(dir, { waitForFix: true });
    const failed = nextEvent(w, "error");
    expect(w.startupError).toBeInstanceOf(ManifestError);
    expect(w.watchedFiles).toEqual([yaml]);
    const value = w.library("math").getFunction("value");
    expect(() => value(1)).toThrow(/^project not loaded yet: .*orcjit\.yaml:\d+:\d+: error: /);
    expect(await failed).toBeInstanceOf(ManifestError);

    // still broken: another error, still generation 0
    const failedAgain = nextEvent(w, "error");
    replaceIn(yaml, "linkOrder: [nowhere]", "linkOrder: [nowhere2]");
    expect(await failedAgain).toBeInstanceOf(ManifestError);
    expect(w.generation).toBe(0);

    const reloaded = nextEvent(w, "reload");
    replaceIn(yaml, "linkOrder: [nowhere2]", "linkOrder: [math]");
    const e = await reloaded;
    expect(e).toMatchObject({ generation: 1, changedFiles: [yaml] });
    expect(value(1)).toBe(2);
    expect(w.library("caller").getFunction("call_value")(1)).toBe(1002);
  });

  test("reload() before the first load attempts it and rejects with the error", async () => {
    const dir = copyFixture("hot");
    const src = path.join(dir, "src/math.c");
    replaceIn(src, "x * SCALE + OFFSET;", "x * SCALE + OFFSET + ;");
    const w = await startWatcher(dir, { waitForFix: true, watch: false });
    await expect(w.reload()).rejects.toBeInstanceOf(CompileError);
    replaceIn(src, "x * SCALE + OFFSET + ;", "x * SCALE + OFFSET;");
    expect(await w.reload()).toMatchObject({ generation: 1 });
    expect(w.library("math").getFunction("value")(2)).toBe(4);
  });

  test("without waitForFix the first failure rejects; a missing manifest rejects even with it", async () => {
    const dir = copyFixture("hot");
    replaceIn(path.join(dir, "src/math.c"), "x * SCALE + OFFSET;", "x * SCALE + OFFSET + ;");
    await expect(startWatcher(dir)).rejects.toBeInstanceOf(CompileError);
    await expect(startWatcher(path.join(dir, "missing.yaml"), { waitForFix: true, cacheDir: path.join(dir, ".cache") })).rejects.toBeInstanceOf(ManifestError);
  });
});

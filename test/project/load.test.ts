// The project layer's load half: link in dependency order, call, rebuild and re-link by name.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { CompileError, DisposedError, ManifestError } from "../../src/errors.js";
import { ExecutionSession } from "../../src/jit/index.js";
import { loadProject } from "../../src/project/index.js";
import { copyProject } from "../cli/helpers.js";

function options(dir: string) {
  return { cacheDir: path.join(dir, ".cache"), env: {} };
}

describe("Project.load", () => {
  test("builds if needed, links every library in dependency order and calls through link order", async () => {
    const dir = copyProject("multi-c");
    const project = await loadProject(dir, options(dir));
    await project.load();
    expect(project.loaded).toBe(true);
    expect(project.library("kinds").generation).toBe(1);
    expect(project.library("kinds").getFunction("add_scaled")(1, 2)).toBe(30);
    expect(project.library("math").getFunction("add")(1, 2)).toBe(3);
    expect(project.library("kinds").getFunction("which_helper")()).toBe(2);
    await expect(project.load()).rejects.toThrow(/already loaded/);
    project.dispose();
    expect(project.loaded).toBe(false);
    project.dispose(); // idempotent
  });

  test("into a session the caller owns, which outlives the project", async () => {
    const dir = copyProject("multi-c");
    const session = new ExecutionSession();
    try {
      const project = await loadProject(dir, options(dir));
      await project.load(session);
      const add = project.library("math").getFunction("add");
      expect(add(2, 2)).toBe(4);
      project.dispose();
      expect(session.disposed).toBe(false);
      expect(() => add(1, 1)).toThrow(DisposedError);
    } finally {
      session.dispose();
    }
  });

  test("rebuildLibraries links a new generation of the library and its dependents", async () => {
    const dir = copyProject("multi-c");
    const project = await loadProject(dir, options(dir));
    await project.load();
    const src = path.join(dir, "src/math.c");
    writeFileSync(src, readFileSync(src, "utf8").replace("return a + b;", "return a + b + 100;"));
    const r = await project.rebuildLibraries(["math"]);
    expect(r.relinked).toEqual(["math", "kinds"]);
    expect(r.build).toMatchObject({ compiled: 1, total: 1 });
    expect(project.library("math").generation).toBe(2);
    expect(project.library("kinds").generation).toBe(2);
    expect(project.library("math").getFunction("add")(1, 2)).toBe(103);
    expect(project.library("kinds").getFunction("add_scaled")(1, 2)).toBe(1030);

    // a broken edit keeps the previous generation serving
    writeFileSync(src, "int broken( {\n");
    await expect(project.rebuildLibraries(["math"])).rejects.toThrow(CompileError);
    expect(project.library("math").generation).toBe(2);
    expect(project.library("kinds").getFunction("add_scaled")(1, 2)).toBe(1030);
    project.dispose();
  });

  test("reload applies manifest edits: changed defines re-link that library only", async () => {
    const dir = copyProject("multi-c");
    const project = await loadProject(dir, options(dir));
    await project.load();
    const yamlPath = path.join(dir, "orcjit.yaml");
    writeFileSync(yamlPath, readFileSync(yamlPath, "utf8").replace("KIND_SCALE: 10", "KIND_SCALE: 7"));
    const r = await project.reload();
    expect(r).toMatchObject({ relinked: ["kinds"], added: [], removed: [] });
    expect(project.library("kinds").getFunction("add_scaled")(1, 2)).toBe(21);
    expect(project.library("math").generation).toBe(1);

    writeFileSync(yamlPath, "version: 1\nlibraries: []\n");
    await expect(project.reload()).rejects.toThrow(ManifestError);
    expect(project.library("kinds").getFunction("add_scaled")(1, 1)).toBe(14);
    project.dispose();
  });
});

// Every public options object rejects unknown keys with a "did you mean" (src/util/options.ts).
// All checks run before any compiler, addon or file is touched, so this is a unit test.
import { describe, expect, it } from "vitest";
import { cache } from "../../src/cache/index.js";
import { compileUnits } from "../../src/compiler/index.js";
import { ExecutionSession } from "../../src/jit/session.js";
import { loadModule, type LoadModuleOptions } from "../../src/module/index.js";
import { build } from "../../src/project/build.js";
import { loadInline } from "../../src/project/load-inline.js";
import { loadProject } from "../../src/project/index.js";
import { loadManifest, parseManifest } from "../../src/manifest/index.js";
import { checkOptions, optionKeys } from "../../src/util/options.js";
import { renderDeclarations } from "../../src/values/declarations.js";
import { watchProject } from "../../src/watch/index.js";

// Deliberately wrong option objects: cast through unknown, as a JS caller would pass them.
const bad = <T>(o: Record<string, unknown>): T => o as unknown as T;

describe("unknown option keys", () => {
  it.each([
    ["loadInline", () => loadInline(bad<Parameters<typeof loadInline>[0]>({ name: "m", cppSource: "int x;" })), /^loadInline\(options\): unknown option 'cppSource' \(did you mean 'cppSources'\?\)$/],
    ["build", () => build(bad({ name: "b", sources: [], optlevel: 2 })), /^build\(options\): unknown option 'optlevel' \(did you mean 'optLevel'\?\)$/],
    ["compileUnits", () => compileUnits([], bad({ cachedir: "/tmp/x" })), /^compileUnits\(units, options\): unknown option 'cachedir' \(did you mean 'cacheDir'\?\)$/],
    ["loadProject", () => loadProject("/nonexistent", bad({ profle: "release" })), /^loadProject\(manifestPath, options\): unknown option 'profle' \(did you mean 'profile'\?\)$/],
    ["watchProject", () => watchProject("/nonexistent", bad({ debounce: 5 })), /^watchProject\(manifestPath, options\): unknown option 'debounce' \(did you mean 'debounceMs'\?\)$/],
    ["loadManifest", () => loadManifest("/nonexistent", bad({ allowOutsideroot: true })), /^loadManifest\(file, options\): unknown option 'allowOutsideroot' \(did you mean 'allowOutsideRoot'\?\)$/],
    ["parseManifest", () => parseManifest("version: 1\n", "/x/orcjit.yaml", bad({ displaypath: "x" })), /^parseManifest\(text, file, options\): unknown option 'displaypath' \(did you mean 'displayPath'\?\)$/],
    ["cache.size", () => cache.size(bad({ dir: "/tmp/x" })), /^cache\(options\): unknown option 'dir'; known options: cacheDir, maxBytes$/],
  ] as Array<[string, () => Promise<unknown>, RegExp]>)("%s", async (_name, call, message) => {
    const e = await Promise.resolve().then(() => call()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(message);
  });

  it("synchronous entry points throw at once", () => {
    expect(() => new ExecutionSession(bad({ reserve: 1 }))).toThrow(/^new ExecutionSession\(options\): unknown option 'reserve' \(did you mean 'reserveBytes'\?\)$/);
    expect(() => loadModule("/nonexistent.so", bad<LoadModuleOptions>({ nmae: "x" }))).toThrow(/^loadModule\(input, options\): unknown option 'nmae' \(did you mean 'name'\?\)$/);
    expect(() => renderDeclarations([], bad({ moduleSpecifer: "x" }))).toThrow(/unknown option 'moduleSpecifer' \(did you mean 'moduleSpecifier'\?\)/);
  });

  it("known keys pass, and non-objects are refused by name", () => {
    const keys = optionKeys<{ a?: number; bee?: string }>({ a: true, bee: true });
    expect(keys).toEqual(["a", "bee"]);
    expect(() => checkOptions("f(options)", { a: 1, bee: "x" }, keys)).not.toThrow();
    expect(() => checkOptions("f(options)", undefined, keys)).not.toThrow();
    expect(() => checkOptions("f(options)", null, keys)).toThrow("f(options): options must be an object (got null)");
    expect(() => checkOptions("f(options)", [1], keys)).toThrow("f(options): options must be an object (got an array)");
    expect(() => checkOptions("f(options)", { zzzzzz: 1 }, keys)).toThrow("f(options): unknown option 'zzzzzz'; known options: a, bee");
  });
});
